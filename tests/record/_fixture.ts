/**
 * Helpers of the record/replay tests: a private copy of the fixture dataflow
 * (tests/fixtures/record/), reading recordings with the `mcap` Python
 * package and with pymcap-cli.
 *
 * @module
 */
import { fixture } from "../_support/dora.ts";

/** A temporary folder holding a copy of tests/fixtures/record/. */
export async function recordFixture(
  edit: (yaml: string) => string = (y) => y,
): Promise<
  { dir: string; path: string; [Symbol.asyncDispose](): Promise<void> }
> {
  const dir = await Deno.makeTempDir({ prefix: "dora-record-test-" });
  for (const f of ["counter.ts", "doubler.ts", "sink.ts"]) {
    await Deno.copyFile(fixture(`record/${f}`), `${dir}/${f}`);
  }
  const yaml = await Deno.readTextFile(fixture("record/dataflow.yml"));
  await Deno.writeTextFile(`${dir}/dataflow.yml`, edit(yaml));
  return {
    dir,
    path: `${dir}/dataflow.yml`,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** What tests/record/read_mcap.py found. */
export interface PythonRead {
  counts: Record<string, number>;
  first: Record<string, {
    schema_encoding: string;
    message_encoding: string;
    type: string;
    values: unknown[];
    channel_metadata: Record<string, string>;
  }>;
  metadata: Record<string, Record<string, string>>;
  error: string | null;
}

/** Reads `file` with the `mcap` Python package (`stream`: non-seeking). */
export async function readWithPython(
  file: string,
  stream = false,
): Promise<PythonRead> {
  const script = new URL("./read_mcap.py", import.meta.url).pathname;
  const out = await new Deno.Command("python3", {
    args: [script, file, ...(stream ? ["--stream"] : [])],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `read_mcap.py failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return JSON.parse(text);
}

/** `pymcap-cli doctor` findings: its summary line as JSON. */
export async function mcapDoctor(
  file: string,
): Promise<
  { errors: number; messages: number; complete: boolean; findings: string[] }
> {
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      "import sys; from pymcap_cli.cli import main; sys.argv[0] = 'pymcap-cli'; sys.exit(main())",
      "doctor",
      file,
      "--format",
      "jsonl",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) =>
    l.startsWith("{")
  ).map((l) => JSON.parse(l));
  const summary = lines.find((l) => l.type === "summary");
  if (!summary) {
    throw new Error(
      `pymcap-cli doctor printed no summary: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return {
    errors: summary.errors,
    messages: summary.messages,
    complete: summary.complete,
    findings: lines.filter((l) =>
      l.type === "finding" && l.severity === "error"
    )
      .map((l) => `${l.code}: ${l.message}`),
  };
}
