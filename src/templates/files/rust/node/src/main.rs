//! ___name___: a dora node. Every message on input `in` is sent on, unchanged,
//! on output `out`; it finishes when its inputs close or the dataflow stops.
use dora_node_api::{DoraNode, Event};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut node, mut events) = DoraNode::init_from_env()?;
    while let Some(event) = events.recv() {
        match event {
            Event::Input { id, metadata, data } if id == "in" => {
                node.send_output("out", metadata.parameters, data)?;
            }
            Event::Stop(_) => break,
            _ => {}
        }
    }
    Ok(())
}
