//! Prints the values that came out of the node under test.
use dora_node_api::{DoraNode, Event};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_node, mut events) = DoraNode::init_from_env()?;
    let mut values = Vec::new();
    while let Some(event) = events.recv() {
        if let Event::Input { data, .. } = event {
            values.extend(data.to_f64s().iter().map(|v| v.to_string()));
        }
    }
    println!("checker got [{}]", values.join(", "));
    Ok(())
}
