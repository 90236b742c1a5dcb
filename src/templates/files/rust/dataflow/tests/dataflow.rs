//! Runs the dataflow with `dora run` (which builds it first) and checks what
//! the listener printed. `DORA` names the dora command when it is not `dora`.
use std::process::Command;

#[test]
fn listener_receives_every_greeting() {
    let dora = std::env::var("DORA").unwrap_or_else(|_| "dora".into());
    let mut words = dora.split_whitespace();
    let out = Command::new(words.next().unwrap())
        .args(words)
        .args(["run", "dataflow.yml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot start dora (put it on PATH or set DORA)");
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    for i in 1..=5 {
        assert!(text.contains(&format!("listener received: hello {i}\n")), "{text}");
    }
    assert!(text.contains("listener: 5 greetings in all"), "{text}");
}
