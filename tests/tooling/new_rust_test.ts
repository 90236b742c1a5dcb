/**
 * `dora new --lang rust`: the generated Cargo projects build (their
 * `build:` lines, run by `dora run`) and their `cargo test` passes at once.
 */
import { newProjectTest } from "./_new_project.ts";

const CARGO_TEST = ["cargo", "test", "--quiet", "--offline"] as const;
newProjectTest("rust", "dataflow", CARGO_TEST);
newProjectTest("rust", "node", CARGO_TEST);
