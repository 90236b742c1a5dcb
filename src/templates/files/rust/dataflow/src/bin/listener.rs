//! Prints every greeting it receives; exits when the talker is done.
use dora_node_api::{DoraNode, Event};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_node, mut events) = DoraNode::init_from_env()?;
    let mut received = 0;
    while let Some(event) = events.recv() {
        if let Event::Input { id, data, .. } = event {
            if id == "greeting" {
                received += 1;
                println!("listener received: {}", data.to_str().unwrap_or("?"));
            }
        }
    }
    println!("listener: {received} greetings in all");
    Ok(())
}
