/**
 * Test fixture: plays the daemon for one node script that it spawns as its
 * own child (so `parent_pid` is this process), completes the handshake,
 * prints `{"pid", "dir"}` and waits to be killed.
 *
 * Usage: deno run -A _watchdog_daemon.ts <script> <import map> [deno flags…]
 *
 * @module
 */
import { FakeDaemon } from "./_fake_daemon.ts";

const [script, map, ...flags] = Deno.args;
const daemon = await FakeDaemon.start();
const config = daemon.config({ parent_pid: Deno.pid });
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "--no-prompt", ...flags, "--import-map", map, script],
  env: { DORA_NODE_CONFIG: JSON.stringify(config) },
  stdin: "null",
}).spawn();
await daemon.accept();
console.log(JSON.stringify({ pid: child.pid, dir: daemon.dir }));
await child.status;
