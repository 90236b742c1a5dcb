//! Sends [1], [2], [3] (f64) on `numbers`, then exits.
use dora_node_api::{DoraNode, Event, IntoArrow};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut node, mut events) = DoraNode::init_from_env()?;
    let mut sent = 0.0;
    while let Some(event) = events.recv() {
        if let Event::Input { metadata, .. } = event {
            sent += 1.0;
            node.send_output("numbers", metadata.parameters, vec![sent].into_arrow())?;
            if sent == 3.0 {
                break;
            }
        }
    }
    Ok(())
}
