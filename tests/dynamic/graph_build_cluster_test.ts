/**
 * Graph changes through a coordinator that build and that lose a daemon:
 * a node added with `build:` is built on its machine before it starts, a
 * build that fails changes nothing and names the daemon and the node, and
 * a daemon lost in the middle of a change fails it, naming that daemon,
 * after the daemon that had made it went back to the graph as it was.
 */
import assert from "node:assert/strict";
import { waitUntil } from "../_support/wait.ts";
import { dyn, startCluster } from "./_cluster.ts";

const YAML = `
nodes:
  - id: counter
    _unstable_deploy: { machine: A }
    path: ${dyn("counter.ts")}
    inputs: { tick: dora/timer/millis/50 }
    outputs: [value]
  - id: ts
    _unstable_deploy: { machine: B }
    path: ${dyn("watcher.ts")}
    inputs: { value: counter/value }
`;

type Cluster = Awaited<ReturnType<typeof startCluster>>;

/** The daemon id of `machine`. */
async function daemonOf(df: Cluster, machine: string): Promise<string> {
  const r = await df.dora(["status", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const daemons = JSON.parse(r.stdout).daemons as {
    daemonId: string;
    machineId?: string;
  }[];
  return daemons.find((d) => d.machineId === machine)!.daemonId;
}

/** `dora node add --from-yaml FILE --allow-shell-nodes`. */
const add = (df: Cluster, file: string) =>
  df.dora(["node", "add", "--from-yaml", file, "--allow-shell-nodes"]);

Deno.test("dora node add through a coordinator builds a node with build: on its machine before it starts; a failing build names the daemon and changes nothing", async () => {
  await using df = await startCluster(YAML, { machines: ["A", "B"] });
  await df.saw("ts", /"type":"INPUT"/);
  const ok = await add(
    df,
    df.sb.write(
      "made.yml",
      `id: made
_unstable_deploy: { machine: B }
path: made.ts
build: cp ${dyn("watcher.ts")} made.ts
inputs: { value: counter/value }
`,
    ),
  );
  assert.equal(ok.code, 0, ok.stderr);
  await df.saw("made", /"type":"INPUT"/);

  const b = await daemonOf(df, "B");
  const bad = await add(
    df,
    df.sb.write(
      "bad.yml",
      `- id: bad
  _unstable_deploy: { machine: B }
  path: ${dyn("watcher.ts")}
  build: echo no compiler here >&2; exit 4
  inputs: { value: counter/value }
- id: fine
  _unstable_deploy: { machine: A }
  path: ${dyn("watcher.ts")}
  inputs: { value: counter/value }
`,
    ),
  );
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(
    bad.stderr,
    new RegExp(
      `daemon "${b}": node "bad": build command "echo no compiler here >&2; exit 4" exited with code 4`,
    ),
  );
  assert.match(bad.stderr, /no compiler here/);
  assert.match(bad.stderr, /\(nothing changed\)/);
  const expand = await df.dora(["expand", "demo"]);
  assert.match(expand.stdout, /id: made/);
  assert.doesNotMatch(expand.stdout, /id: (bad|fine)\b/);
  assert.deepEqual(df.says("fine"), []);
});

Deno.test("a daemon lost while a change is made fails the change naming it, and the other daemon goes back to the graph as it was", async () => {
  await using df = await startCluster(YAML, { machines: ["A", "B"] });
  await df.saw("ts", /"type":"INPUT"/);
  const b = await daemonOf(df, "B");
  // Daemon A checks the change by building `held` (until the test says
  // go); daemon B has checked its part by then.
  const file = df.sb.write(
    "two.yml",
    `- id: held
  _unstable_deploy: { machine: A }
  path: ${dyn("watcher.ts")}
  build: touch started && while [ ! -e go ]; do sleep 0.05; done
  inputs: { value: counter/value }
- id: on_b
  _unstable_deploy: { machine: B }
  path: ${dyn("watcher.ts")}
  inputs: { value: counter/value }
`,
  );
  const change = add(df, file);
  await waitUntil(() => {
    try {
      return Deno.statSync(`${df.sb.dir}/started`).isFile;
    } catch {
      return false;
    }
  }, "daemon A building the new node");
  // Daemon B (started last) goes away in the middle of the change.
  await df.sb.procs.at(-1)!.stop("SIGKILL");
  Deno.writeTextFileSync(`${df.sb.dir}/go`, "");
  const r = await change;
  assert.equal(r.code, 1, r.stdout);
  assert.match(
    r.stderr,
    new RegExp(
      `daemon "${b}" (is not connected|disconnected during the change) \\(rolled back on every daemon still connected: nothing changed\\)`,
    ),
  );
  // Daemon A had made the change (its new node started) and undid it.
  await df.saw("held", /"type":"START"/);
  await df.saw("held", /"type":"STOP"/);
  const expand = await df.dora(["expand", "demo"]);
  assert.doesNotMatch(expand.stdout, /id: (held|on_b)\b/);
  const list = await df.dora(["list", "--format", "json"]);
  assert.equal(JSON.parse(list.stdout.trim()).nodes, 2);
  // The rest of machine A runs on.
  const nodes = await df.dora(["node", "list", "-d", "demo", "-q"]);
  assert.doesNotMatch(nodes.stdout, /held/);
  assert.match(nodes.stdout, /counter/);
});
