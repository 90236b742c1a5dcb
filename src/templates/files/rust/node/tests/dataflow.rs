//! Runs the node in tests/dataflow.yml with `dora run` (which builds it
//! first) and checks its output. `DORA` names the dora command when it is not
//! `dora`.
use std::process::Command;

#[test]
fn passes_messages_on() {
    let dora = std::env::var("DORA").unwrap_or_else(|_| "dora".into());
    let mut words = dora.split_whitespace();
    let out = Command::new(words.next().unwrap())
        .args(words)
        .args(["run", "tests/dataflow.yml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot start dora (put it on PATH or set DORA)");
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("checker got [1, 2, 3]"), "{text}");
}
