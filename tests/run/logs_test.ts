/**
 * Node logs of `dora run`: files and their format, levels, min_log_level,
 * rotation, console filters, the dora/logs input, send_stdout_as, and
 * `dora logs --local`.
 */
import assert from "node:assert/strict";
import { fixture, runDora, tempDataflow } from "../_support/dora.ts";

const py = (f: string) => fixture(`py/${f}`);

function logFiles(dir: string): { run: string; files: string[] } {
  const runs = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name);
  assert.equal(runs.length, 1);
  const run = `${dir}/out/${runs[0]}`;
  const files = [...Deno.readDirSync(run)].map((e) => e.name);
  return { run, files: files.filter((f) => f.startsWith("log_")).sort() };
}

function records(path: string): Record<string, unknown>[] {
  return Deno.readTextFileSync(path).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
}

Deno.test("node logs are written as JSON lines with levels, min_log_level and rotation", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: logger
    path: ${py("logger.py")}
  - id: quiet
    path: ${py("logger.py")}
    min_log_level: info
  - id: rotating
    path: ${py("logger.py")}
    env: { LINES: 200 }
    max_log_size: 4KB
    max_rotated_files: 2
`);
  const r = await runDora([
    "run",
    df.path,
    "--log-level",
    "warn",
    "--log-filter",
    "quiet=info",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const { run, files } = logFiles(df.dir);
  assert.deepEqual(files, [
    "log_logger.jsonl",
    "log_quiet.jsonl",
    "log_rotating.1.jsonl",
    "log_rotating.2.jsonl",
    "log_rotating.jsonl",
  ]);
  const logger = records(`${run}/log_logger.jsonl`);
  assert.deepEqual(logger.map((x) => x.level), [
    "error",
    "warn",
    "info",
    "debug",
    "trace",
    "stdout",
  ]);
  const first = logger[0]!;
  assert.deepEqual(Object.keys(first).sort(), [
    "fields",
    "level",
    "msg",
    "node",
    "stream",
    "target",
    "ts",
  ]);
  assert.equal(first.msg, "an error");
  assert.equal(first.node, "logger");
  assert.equal(first.stream, "stdout");
  assert.equal(first.target, "logger::t");
  assert.deepEqual(first.fields, { k: "v" });
  assert.match(first.ts as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(logger[5]!.msg, "plain stdout line");
  // min_log_level: info drops debug, trace and raw stdout at the source.
  assert.deepEqual(records(`${run}/log_quiet.jsonl`).map((x) => x.level), [
    "error",
    "warn",
    "info",
  ]);
  // Rotation: the newest rotated file holds the lines just before the current file's.
  const rotatedSize = Deno.statSync(`${run}/log_rotating.1.jsonl`).size;
  assert.ok(
    rotatedSize >= 4000 && rotatedSize < 4400,
    `rotated size ${rotatedSize}`,
  );
  const last = records(`${run}/log_rotating.jsonl`).at(-1)!;
  assert.match(last.msg as string, /^filler line 00199 /);
  // Console: --log-level warn hides info and stdout; the filter shows quiet's info.
  assert.match(r.stderr, /ERROR +logger: logger::t: an error k=v/);
  assert.match(r.stderr, /WARN +logger: a warning/);
  assert.doesNotMatch(r.stderr, /logger: some info/);
  assert.doesNotMatch(r.stderr, /plain stdout line/);
  assert.match(r.stderr, /INFO +quiet: some info/);
});

Deno.test("dora/logs delivers other nodes' logs; send_stdout_as routes raw lines", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: logger
    path: ${py("logger.py")}
    send_stdout_as: raw
    outputs: [raw]
  - id: sink
    path: ${py("logsink.py")}
    inputs:
      logs: dora/logs
      raw: logger/raw
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /sink: logsink: logs=6 nodes=\['logger'\] levels=\['debug', 'error', 'info', 'stdout', 'trace', 'warn'\] raw=6 first_raw=\['\{"level": "error"/,
  );
});

Deno.test("send_logs_as routes a node's log records as JSON strings", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: logger
    path: ${py("logger.py")}
    send_logs_as: records
    min_log_level: warn
  - id: sink
    path: ${py("logsink.py")}
    inputs:
      raw: logger/records
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 0, r.stderr);
  // min_log_level applies before send_logs_as: only error and warn remain.
  assert.match(
    r.stderr,
    /sink: logsink: logs=0 nodes=\[\] levels=\[\] raw=2 first_raw=\['\{"ts":.*"level":"error","node":"logger"/,
  );
});

Deno.test("dora logs --local filters, tails and merges nodes", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: logger
    path: ${py("logger.py")}
  - id: other
    path: ${py("logger.py")}
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 0, r.stderr);
  const logs = (args: string[]) =>
    runDora(["logs", "--local", ...args], { cwd: df.dir });
  const one = await logs(["logger", "--log-format", "compact"]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout.trim().split("\n").length, 6);
  assert.doesNotMatch(one.stdout, /^other:/m);
  const errors = await logs([
    "--all-nodes",
    "--level",
    "warn",
    "--log-format",
    "json",
  ]);
  const lines = errors.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);
  assert.deepEqual(
    new Set(lines.map((l) => l.node)),
    new Set(["logger", "other"]),
  );
  const tail = await logs(["other", "--tail", "2", "--log-format", "compact"]);
  assert.deepEqual(tail.stdout.trim().split("\n"), [
    "other: a trace line",
    "other: plain stdout line",
  ]);
  const grep = await logs([
    "--all-nodes",
    "--grep",
    "WARNING",
    "--log-format",
    "compact",
  ]);
  assert.deepEqual(grep.stdout.trim().split("\n").sort(), [
    "logger: a warning",
    "other: a warning",
  ]);
  const since = await logs(["--all-nodes", "--until", "1h"]);
  assert.equal(since.stdout.trim(), "");
  const missing = await logs(["nobody"]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /node "nobody" has no logs .*nodes: logger, other/,
  );
});

Deno.test("DORA_LOG_LEVEL, DORA_LOG_FORMAT and DORA_LOG_FILTER set the console defaults", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: logger
    path: ${py("logger.py")}
  - id: other
    path: ${py("logger.py")}
`);
  const r = await runDora(["run", df.path], {
    env: {
      DORA_LOG_LEVEL: "error",
      DORA_LOG_FORMAT: "compact",
      DORA_LOG_FILTER: "other=info",
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split("\n").filter((l) => /^(logger|other): /.test(l));
  assert.deepEqual(lines.sort(), [
    "logger: an error k=v",
    "other: a warning",
    "other: an error k=v",
    "other: some info",
  ]);
  // A flag beats the variable.
  const json = await runDora(["run", df.path, "--log-format", "json"], {
    env: { DORA_LOG_FORMAT: "compact" },
  });
  assert.match(json.stderr, /^\{"dataflow_id":/m);
});
