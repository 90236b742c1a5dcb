/**
 * No node survives its daemon: SIGKILL the (fake) daemon and the node, which
 * neither reads events nor exits by itself, must die too — at once through
 * PR_SET_PDEATHSIG with FFI, through the parent-pid poll without.
 */
import assert from "node:assert/strict";

const here = new URL(".", import.meta.url).pathname;

const SCRIPT = `
import { Node } from "dora";
await Node.init();
setInterval(() => {}, 1000); // busy forever; only the watchdog ends it
`;

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

async function run(ffi: boolean) {
  const dir = await Deno.makeTempDir({ prefix: "dora-watchdog-" });
  const script = `${dir}/node.ts`;
  const map = `${dir}/import_map.json`;
  await Deno.writeTextFile(script, SCRIPT);
  await Deno.writeTextFile(
    map,
    JSON.stringify({
      imports: {
        dora: new URL("./mod.ts", import.meta.url).href,
        "apache-arrow": "npm:apache-arrow@21.2.0",
      },
    }),
  );
  const daemon = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-prompt",
      `${here}_watchdog_daemon.ts`,
      script,
      map,
      "-A",
      ...(ffi ? [] : ["--deny-ffi"]),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = daemon.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the fixture daemon exited early");
    text += new TextDecoder().decode(value);
  }
  const info = JSON.parse(text.split("\n")[0]) as { pid: number; dir: string };
  assert.ok(alive(info.pid));
  daemon.kill("SIGKILL");
  await daemon.status;
  await reader.cancel().catch(() => {});
  // Nothing to await for a process that is not our child: poll, bounded.
  for (let i = 0; i < 250 && alive(info.pid); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const survived = alive(info.pid);
  if (survived) Deno.kill(info.pid, "SIGKILL");
  await Deno.remove(info.dir, { recursive: true }).catch(() => {});
  await Deno.remove(dir, { recursive: true });
  assert.equal(survived, false, "the node outlived its daemon");
}

Deno.test("a node with FFI dies with its daemon (PR_SET_PDEATHSIG)", () =>
  run(true));
Deno.test("a node without FFI dies with its daemon (parent-pid poll)", () =>
  run(false));
