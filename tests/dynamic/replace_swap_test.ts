/**
 * `dora node replace` is an overlapping swap: the new process starts and
 * connects while the old one runs on, so a slow start-up (a Python node
 * sleeping before `Node()`) does not stop the flow; nothing sent to the
 * replaced node is lost and its receiver gets everything in order. A new
 * definition that cannot start leaves the old process running and the
 * command fails naming the node and why.
 */
import assert from "node:assert/strict";
import { InspectPlace } from "../_support/inspect.ts";
import { waitUntil } from "../_support/wait.ts";
import { dyn, startCluster } from "./_cluster.ts";

/**
 * counter → relay → sink; the relay takes 0.3 s to exit after STOP while
 * the counter goes on sending (those messages must reach the new relay).
 * `counter`, `relayFile`: their fixtures (the sink is TypeScript).
 */
const yaml = (counter: string, relayFile: string) => `
nodes:
  - id: counter
    path: ${dyn(counter)}
    inputs: { tick: dora/timer/millis/20 }
    outputs: [value]
  - id: relay
    path: ${dyn(relayFile)}
    inputs:
      value: { source: counter/value, queue_size: 1000 }
    outputs: [value]
    env: { TAG: "1", STOP_DELAY: "0.3" }
  - id: sink
    path: ${dyn("stamped.ts")}
    inputs:
      value: { source: relay/value, queue_size: 1000 }
`;
/** A TypeScript counter feeding a Python relay. */
const YAML = yaml("counter.ts", "relay.py");
/** A Python counter feeding a TypeScript relay. */
const YAML_TS_RELAY = yaml("counter.py", "relay.ts");

/** A new definition of the relay (`env` in YAML flow syntax). */
const relay = (env: string, file = "relay.py") =>
  `id: relay
path: ${dyn(file)}
inputs:
  value: { source: counter/value, queue_size: 1000 }
outputs: [value]
env: { ${env} }
`;

/** `dora node replace relay --from-yaml <file>`. */
const replaceRelay = (file: string) => [
  "node",
  "replace",
  "relay",
  "--from-yaml",
  file,
];

/** The start-up delay of the new relay (seconds). */
const DELAY_S = 1.5;

interface Got {
  value: number;
  tag: number;
  t: number;
}

/** The sink's `got` lines. */
function gots(lines: string[]): Got[] {
  return lines.flatMap((l) => {
    const m = /got (\S+) (\S+) t=(\d+)/.exec(l);
    return m
      ? [{ value: Number(m[1]), tag: Number(m[2]), t: Number(m[3]) }]
      : [];
  });
}

/** When the relay with `tag` printed `what` (ms). */
function at(lines: string[], tag: number, what: string): number {
  const re = new RegExp(`relay ${tag} ${what} t=(\\d+)`);
  const m = lines.map((l) => re.exec(l)).find((x) => x);
  assert.ok(m, `relay ${tag} never printed "${what}"`);
  return Number(m[1]);
}

/**
 * What the swap must look like from the sink: old messages until the new
 * relay's slow start-up was over, then new ones; every value once, in order.
 */
function checkSwap(
  sink: string[],
  relayLines: string[],
  startUp = true,
): void {
  const got = gots(sink);
  const lastOld = got.findLastIndex((g) => g.tag === 1);
  const firstNew = got.findIndex((g) => g.tag === 2);
  assert.ok(lastOld >= 0 && firstNew >= 0, "messages of both definitions");
  // Old, then new: never mixed.
  assert.equal(
    firstNew,
    lastOld + 1,
    "the new definition's output follows the old one's",
  );
  // The old process ran on through the new one's whole start-up (its last
  // message may precede the new one's connect by a tick: 20 ms).
  const initNew = startUp ? at(relayLines, 2, "init") : 0;
  assert.ok(
    got[lastOld]!.t > initNew - 200,
    `the old relay's last message (t=${
      got[lastOld]!.t
    }) came before the new relay finished its start-up (t=${initNew})`,
  );
  // Nothing the counter sent was lost or doubled and the order was kept,
  // also while the old relay took its time to exit after STOP (the counter
  // sent on meanwhile: that went to the new relay).
  for (let i = 1; i < got.length; i++) {
    assert.equal(
      got[i]!.value,
      got[i - 1]!.value + 1,
      `value ${got[i - 1]!.value} was followed by ${got[i]!.value}`,
    );
  }
  assert.ok(sink.some((l) => /event NODE_RESTARTED relay/.test(l)));
  assert.ok(!sink.some((l) => /event INPUT_CLOSED/.test(l)));
  if (!startUp) return;
  const gap = got[firstNew]!.t - got[lastOld]!.t;
  console.log(
    `replace: the sink waited ${gap} ms between the old and the new relay (start-up ${
      DELAY_S * 1000
    } ms)`,
  );
}

Deno.test("dora node replace on a coordinator's dataflow starts the new process before stopping the old one: no gap for its start-up, nothing doubled, order kept; a new definition that fails to start is rolled back", async () => {
  await using df = await startCluster(YAML);
  await df.saw("sink", /got \d+ 1 /, 5);
  // A new definition that exits before connecting: rolled back everywhere.
  const bad = df.sb.write("relay-bad.yml", relay(`TAG: "3", FAIL: "1"`));
  const failed = await df.dora(replaceRelay(bad));
  assert.equal(failed.code, 1, failed.stdout);
  assert.match(
    failed.stderr,
    /node "relay" was not replaced: its new process exited before connecting \(exited with code 3\).*its old process keeps running.*nothing changed/,
  );
  const before = gots(df.says("sink")).length;
  await df.saw("sink", /got \d+ 1 /, before + 5);
  assert.doesNotMatch((await df.dora(["expand", "demo"])).stdout, /FAIL/);
  const file = df.sb.write(
    "relay-v2.yml",
    relay(`TAG: "2", START_DELAY: "${DELAY_S}"`),
  );
  const replace = await df.dora(replaceRelay(file));
  assert.equal(replace.code, 0, replace.stderr);
  assert.match(replace.stdout, /replaced "relay" in dataflow "demo"/);
  await df.saw("sink", /got \d+ 2 /, 10);
  checkSwap(df.says("sink"), df.says("relay"));
});

Deno.test("dora node replace on a dora run swaps the same way (a Python sender, a TypeScript node replaced), and a new definition that fails to start leaves the old process running", async () => {
  const place = await InspectPlace.create();
  try {
    place.write("dataflow.yml", YAML_TS_RELAY);
    const run = await place.run("dataflow.yml", ["--name", "demo"]);
    // What the nodes print is told apart by its content.
    const lines = (_node: "sink" | "relay") => run.lines;
    const sinkGot = (tag: number) =>
      gots(lines("sink")).filter((g) => g.tag === tag).length;
    await waitUntil(() => sinkGot(1) >= 5, "5 messages of the first relay");

    // A new definition that exits before connecting: refused, nothing changed.
    const bad = place.write(
      "relay-bad.yml",
      relay(`TAG: "3", FAIL: "1"`, "relay.ts"),
    );
    const failed = await place.dora(replaceRelay(bad));
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(
      failed.stderr,
      /node "relay" was not replaced: its new process exited before connecting \(exited with code 3\): relay: refusing to start \(FAIL=1\); its old process keeps running/,
    );
    const before = sinkGot(1);
    await waitUntil(
      () => sinkGot(1) >= before + 10,
      "the old relay running on",
    );
    assert.ok(!lines("relay").some((l) => /relay 1 stop/.test(l)));
    assert.ok(!lines("sink").some((l) => /NODE_RESTARTED/.test(l)));
    const expand = await place.dora(["expand", "demo"]);
    assert.match(expand.stdout, /TAG: "1"/);
    assert.doesNotMatch(expand.stdout, /FAIL/);

    const good = place.write(
      "relay-v2.yml",
      relay(`TAG: "2", START_DELAY: "${DELAY_S}"`, "relay.ts"),
    );
    const replace = await place.dora(replaceRelay(good));
    assert.equal(replace.code, 0, replace.stderr);
    await waitUntil(() => sinkGot(2) >= 10, "10 messages of the new relay");
    checkSwap(lines("sink"), lines("relay"));
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora node replace whose new process does not connect in time is rolled back: the old process runs on", async () => {
  const place = await InspectPlace.create();
  try {
    place.write("dataflow.yml", YAML);
    const run = await place.run("dataflow.yml", ["--name", "demo"]);
    const sinkGot = () => gots(run.lines).filter((g) => g.tag === 1).length;
    await waitUntil(() => sinkGot() >= 5, "5 messages of the first relay");
    const slow = place.write(
      "relay-slow.yml",
      relay(`TAG: "4", START_DELAY: "60"`),
    );
    const failed = await place.dora(replaceRelay(slow));
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(
      failed.stderr,
      /node "relay" was not replaced: its new process did not connect within 10 s; its old process keeps running/,
    );
    const before = sinkGot();
    await waitUntil(() => sinkGot() >= before + 10, "the old relay running on");
    assert.ok(!run.lines.some((l) => /relay 1 stop|NODE_RESTARTED/.test(l)));
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora node replace whose new process dies while the old one hands over: the node restarts with the new definition and still loses nothing", async () => {
  const place = await InspectPlace.create();
  try {
    place.write("dataflow.yml", YAML);
    const run = await place.run("dataflow.yml", ["--name", "demo"]);
    const sinkGot = (tag: number) =>
      gots(run.lines).filter((g) => g.tag === tag).length;
    await waitUntil(() => sinkGot(1) >= 5, "5 messages of the first relay");
    const file = place.write(
      "relay-v2.yml",
      relay(`TAG: "2", DIE_ONCE: "${place.dir}/died"`),
    );
    const replace = await place.dora(replaceRelay(file));
    assert.equal(replace.code, 0, replace.stderr);
    await waitUntil(() => sinkGot(2) >= 10, "10 messages of the new relay");
    assert.ok(
      run.lines.some((l) =>
        /node "relay": its new process exited before taking over \(exited with code 5\).*starting it again/
          .test(l)
      ),
      run.lines.join("\n"),
    );
    checkSwap(run.lines, run.lines, false);
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora node replace of a hung process: its senders' marks are waited for 5 s, then it is stopped anyway with a warning, and the new process takes over", async () => {
  const place = await InspectPlace.create();
  try {
    // The hung relay stops reading its link once 20 inputs wait.
    place.write(
      "dataflow.yml",
      YAML.replace(
        'value: { source: counter/value, queue_size: 1000 }\n    outputs: [value]\n    env: { TAG: "1", STOP_DELAY: "0.3" }',
        'value: { source: counter/value, queue_size: 2, queue_policy: backpressure }\n    outputs: [value]\n    env: { TAG: "1", HANG: "1" }',
      ),
    );
    const run = await place.run("dataflow.yml", ["--name", "demo"]);
    await waitUntil(
      () => run.lines.some((l) => /relay 1 hangs/.test(l)),
      "the first relay hanging",
    );
    const file = place.write("relay-v2.yml", relay(`TAG: "2"`));
    const replace = await place.dora([
      ...replaceRelay(file),
      "--grace",
      "500ms",
    ]);
    assert.equal(replace.code, 0, replace.stderr);
    await waitUntil(
      () => gots(run.lines).filter((g) => g.tag === 2).length >= 5,
      "5 messages of the new relay",
    );
    assert.ok(
      run.lines.some((l) =>
        /node "relay": no hand-over mark from "counter" within 5 s; its old process is stopped anyway/
          .test(l)
      ),
      run.lines.join("\n"),
    );
    // The new relay (other queue settings, same source) still ends on STOP.
    await place.cleanup();
    assert.ok(
      run.lines.some((l) => /relay 2 stop MANUAL/.test(l)),
      run.lines.join("\n"),
    );
  } finally {
    await place.cleanup();
  }
});
