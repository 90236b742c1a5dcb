/**
 * `dora doctor` and `dora system status`: real checks of this machine, of a
 * real coordinator and daemon with a running dataflow, and of descriptors.
 */
import assert from "node:assert/strict";
import { Sandbox, TICKER_TS } from "../_support/cluster.ts";

interface Check {
  id: string;
  status: "ok" | "warn" | "fail";
  summary: string;
  details?: string[];
  fix?: string;
}

function byId(checks: Check[], id: string): Check {
  const c = checks.find((c) => c.id === id);
  assert.ok(c, `no check ${id} in ${JSON.stringify(checks)}`);
  return c;
}

Deno.test("dora doctor checks this machine and passes without a coordinator", async () => {
  const sb = await Sandbox.create();
  try {
    const r = await sb.dora(["doctor", "--format", "json"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const { ok, checks } = JSON.parse(r.stdout) as {
      ok: boolean;
      checks: Check[];
    };
    assert.equal(ok, true);
    assert.match(byId(checks, "dora").summary, /^dora \d+\.\d+\.\d+/);
    assert.match(byId(checks, "deno").summary, new RegExp(Deno.version.deno));
    assert.equal(byId(checks, "pyarrow").status, "ok");
    // The set-up built the C buffer type (or Python is 3.12+).
    assert.equal(byId(checks, "sample-buffer").status, "ok");
    assert.equal(byId(checks, "shm").status, "ok");
    assert.equal(byId(checks, "ffi").status, "ok");
    assert.equal(byId(checks, "shm-library").status, "ok");
    const coordinator = byId(checks, "coordinator");
    assert.equal(coordinator.status, "warn");
    assert.match(
      coordinator.summary,
      new RegExp(`no coordinator at 127\\.0\\.0\\.1:${sb.port}`),
    );
    assert.match(coordinator.fix ?? "", /dora up/);

    const text = await sb.dora(["doctor"]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^✔ dora /m);
    assert.match(text.stdout, /^! no coordinator/m);
    assert.match(text.stdout, /all checks passed \(1 warning\)/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora doctor reports the coordinator, its daemons with versions and running dataflows", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "arm"]);
    sb.write("ticker.ts", TICKER_TS);
    const yml = sb.write(
      "dataflow.yml",
      "nodes:\n  - id: ticker\n    path: ticker.ts\n    inputs:\n      tick: dora/timer/millis/50\n",
    );
    const start = await sb.dora(["start", yml, "--name", "ticks", "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    const r = await sb.dora(["doctor", "--format", "json", "--dataflow", yml]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const { checks } = JSON.parse(r.stdout) as { checks: Check[] };
    const version = byId(checks, "dora").summary.split(" ")[1];
    assert.match(
      byId(checks, "coordinator").summary,
      new RegExp(`dora ${version}`),
    );
    const daemons = byId(checks, "daemons");
    assert.equal(daemons.status, "ok");
    assert.match(
      daemons.details!.join("\n"),
      new RegExp(`arm: connected, dora ${version}`),
    );
    const dataflows = byId(checks, "dataflows");
    assert.equal(dataflows.status, "ok");
    assert.match(dataflows.summary, /1 dataflow\(s\) running, all healthy/);
    assert.match(dataflows.details!.join("\n"), /ticks/);
    assert.equal(byId(checks, "dataflow").status, "ok");

    // `dora system status` is `dora status`.
    const status = await sb.dora(["status"]);
    const system = await sb.dora(["system", "status"]);
    assert.equal(system.code, 0, system.stderr);
    const strip = (s: string) => s.replace(/up \S+|\d+ ?(ms|s) ago/g, "");
    assert.equal(strip(system.stdout), strip(status.stdout));
    const json = await sb.dora(["system", "status", "--format", "json"]);
    assert.equal(JSON.parse(json.stdout).daemons[0].version, version);
    await sb.dora(["stop", "ticks"]);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora doctor fails on an invalid descriptor and names file, line and field", async () => {
  const sb = await Sandbox.create();
  try {
    const yml = sb.write(
      "bad.yml",
      "nodes:\n  - id: a\n    path: a.py\n    inputs:\n      x: nowhere/out\n",
    );
    const r = await sb.dora(["doctor", "--dataflow", yml]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^✘ .*bad\.yml: invalid$/m);
    assert.match(r.stdout, /bad\.yml:5:\d+: .*nowhere/);
    assert.match(r.stderr, /error: 1 check failed/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora doctor fails when the dataflow's Python nodes have no python3, with a fix", async () => {
  const sb = await Sandbox.create();
  try {
    sb.write("a.py", "print(1)\n");
    const yml = sb.write("py.yml", "nodes:\n  - id: a\n    path: a.py\n");
    const r = await sb.dora(["doctor", "--format", "json", "--dataflow", yml], {
      PATH: `${sb.dir}/empty`,
    });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const { ok, checks } = JSON.parse(r.stdout) as {
      ok: boolean;
      checks: Check[];
    };
    assert.equal(ok, false);
    const python = byId(checks, "python");
    assert.equal(python.status, "fail");
    assert.match(
      python.summary,
      /python3 not found \(the dataflow has Python nodes\)/,
    );
    assert.match(python.fix ?? "", /install Python 3/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora doctor warns when zero-copy samples cannot count numpy views, naming the missing compiler", async (t) => {
  const python = new TextDecoder().decode(
    (await new Deno.Command("python3", {
      args: [
        "-c",
        "import sys; print(sys.executable, sys.version_info >= (3, 12))",
      ],
    }).output()).stdout,
  ).trim().split(" ");
  if (python[1] === "True") {
    await t.step({
      name: "python3 is 3.12+: no C type",
      ignore: true,
      fn() {},
    });
    return;
  }
  const sb = await Sandbox.create();
  try {
    // python3 alone on PATH (no C compiler), and an empty cache.
    Deno.mkdirSync(`${sb.dir}/bin`);
    Deno.symlinkSync(python[0]!, `${sb.dir}/bin/python3`);
    const r = await sb.dora(["doctor", "--format", "json"], {
      PATH: `${sb.dir}/bin`,
      DORA_CACHE_DIR: `${sb.dir}/cache`,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr); // a warning, not a failure
    const check = byId(JSON.parse(r.stdout).checks as Check[], "sample-buffer");
    assert.equal(check.status, "warn");
    assert.match(check.details?.[0] ?? "", /no C compiler \(`cc`\) on PATH/);
    assert.match(check.fix ?? "", /apt-get install gcc python3-dev/);
  } finally {
    await sb.cleanup();
  }
});
