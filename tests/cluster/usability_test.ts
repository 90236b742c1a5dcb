/**
 * The cluster commands as a new user meets them: error paths without a
 * coordinator, usage errors (exit 2), runtime errors (exit 1) on one line,
 * and valid JSON with `--format json`.
 */
import assert from "node:assert/strict";
import { Sandbox, TICKER_TS } from "../_support/cluster.ts";

/** The `error: …` lines of stderr (usage errors are followed by the help). */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("error:"));
}

Deno.test("cluster commands without a coordinator: one clear line, exit 1 (down: nothing to do)", async () => {
  const sb = await Sandbox.create();
  try {
    for (const args of [["list"], ["stop", "demo"], ["status"]]) {
      const r = await sb.dora(args);
      assert.equal(r.code, 1, `${args}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(
        r.stderr,
        /^error: could not connect to the dora coordinator/,
      );
    }
    const down = await sb.dora(["down"]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(
      down.stdout,
      /^dora is not up \(no coordinator at 127\.0\.0\.1:\d+\)/,
    );

    const missing = await sb.dora(["start", "nofile.yml", "--detach"]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr.trim(),
      "error: dataflow file not found: nofile.yml",
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("cluster usage errors exit 2 with the reason first", async () => {
  const sb = await Sandbox.create();
  try {
    const cases: [string[], RegExp][] = [
      [
        ["start", "x.yml", "--attach", "--detach"],
        /--attach and --detach exclude each other/,
      ],
      [
        ["stop", "demo", "--grace-duration", "soon"],
        /invalid --grace-duration "soon"/,
      ],
      [["list", "--format", "yaml"], /invalid --format "yaml"/],
      [["status", "--format", "yaml"], /invalid --format "yaml"/],
      [
        ["stop", "demo", "--name", "demo"],
        /give either UUID_OR_NAME or --name/,
      ],
      [
        ["stop", "--all", "--name", "demo"],
        /--all stops every running dataflow/,
      ],
      [["clean", "--format", "yaml"], /invalid --format "yaml"/],
      [["coordinator", "--store", "nope"], /invalid --store "nope"/],
      [["up", "--store", "nope"], /invalid --store "nope"/],
    ];
    for (const [args, re] of cases) {
      const r = await sb.dora(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      const errors = errorLines(r.stderr);
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0], re);
    }
    const help = await sb.dora(["start", "--help"]);
    assert.match(help.stdout, /^start a dataflow on the running coordinator$/m);
    assert.doesNotMatch(help.stdout, /default: \[\]/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("stopping a finished or unknown dataflow says so by name, exit 1", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon();
    sb.write("ticker.ts", TICKER_TS);
    const yml = sb.write(
      "dataflow.yml",
      `nodes:
  - id: ticker
    path: ticker.ts
    inputs:
      tick: dora/timer/millis/50
`,
    );
    const start = await sb.dora(["start", yml, "--name", "demo", "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();
    const stop = await sb.dora(["stop", "demo"]);
    assert.equal(stop.code, 0, stop.stderr);
    const again = await sb.dora(["stop", "demo"]);
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr.trim(),
      `error: dataflow "demo" (${uuid}) is not running (it finished)`,
    );
    const unknown = await sb.dora(["logs", "nosuch"]);
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr.trim(),
      'error: no dataflow with uuid or name "nosuch" (see `dora list`)',
    );
    for (
      const args of [["list", "--format", "json"], [
        "status",
        "--format",
        "json",
      ], ["clean", "--format", "json"]]
    ) {
      const r = await sb.dora(args);
      assert.equal(r.code, 0, r.stderr);
      for (const line of r.stdout.trim().split("\n")) JSON.parse(line);
    }
  } finally {
    await sb.cleanup();
  }
});
