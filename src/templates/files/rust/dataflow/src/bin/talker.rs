//! Sends COUNT greetings on `greeting`, one per timer tick, then exits.
use dora_node_api::{DoraNode, Event, IntoArrow};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: u32 = std::env::var("COUNT").ok().and_then(|c| c.parse().ok()).unwrap_or(5);
    let (mut node, mut events) = DoraNode::init_from_env()?;
    let mut sent = 0;
    while let Some(event) = events.recv() {
        match event {
            Event::Input { id, metadata, .. } if id == "tick" => {
                sent += 1;
                node.send_output("greeting", metadata.parameters, format!("hello {sent}").into_arrow())?;
                if sent == count {
                    break;
                }
            }
            Event::Stop(_) => break,
            _ => {}
        }
    }
    Ok(())
}
