/**
 * Shared helpers for the fault-tolerance end-to-end tests: write a dataflow
 * that uses the fixtures in `tests/fixtures/fault/`, run it with `dora run`,
 * and read the `FAULT-REPORT {json}` lines the fixture nodes print.
 *
 * @module
 */
import { ROOT, runDora, type RunResult } from "./dora.ts";

/** Absolute folder of the fault fixtures. */
export const FIXTURES = `${ROOT}/tests/fixtures/fault`;

/** One observation printed by a fixture node. */
export type Report = Record<string, unknown> & { event: string };

/** The result of a run plus the parsed reports, in print order. */
export interface FaultRun extends RunResult {
  reports: Report[];
  /** stdout and stderr together, for message checks. */
  output: string;
}

/**
 * Writes `yaml` (where `$FIXTURES` stands for the fixture folder) into a
 * fresh temporary folder, runs `dora run` on it and removes the folder.
 */
export async function runFaultDataflow(
  yaml: string,
  options: {
    env?: Record<string, string>;
    args?: string[];
    /** Looks at the dataflow folder (logs in `out/`) before it is removed. */
    inspect?: (dir: string) => void | Promise<void>;
  } = {},
): Promise<FaultRun> {
  const dir = await Deno.makeTempDir({ prefix: "dora-fault-" });
  try {
    const file = `${dir}/dataflow.yml`;
    await Deno.writeTextFile(file, yaml.replaceAll("$FIXTURES", FIXTURES));
    const args = options.args ?? [];
    // A safety net: a run that hangs fails the test instead of blocking it.
    const safety = args.includes("--stop-after")
      ? []
      : ["--stop-after", "20s", "--grace-duration", "2s"];
    const result = await runDora(["run", file, ...safety, ...args], {
      cwd: dir,
      env: options.env,
    });
    await options.inspect?.(dir);
    const output = `${result.stdout}\n${result.stderr}`;
    return { ...result, output, reports: parseReports(output) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Extracts every `FAULT-REPORT {json}` line (whatever prefix the runner adds). */
export function parseReports(output: string): Report[] {
  const reports: Report[] = [];
  for (const line of output.split("\n")) {
    const at = line.indexOf("FAULT-REPORT {");
    if (at < 0) continue;
    try {
      reports.push(JSON.parse(line.slice(at + "FAULT-REPORT ".length)));
    } catch {
      // a line cut by the runner's formatting: ignore
    }
  }
  return reports;
}

/** The reports whose `event` is one of `events`. */
export function only(reports: Report[], ...events: string[]): Report[] {
  return reports.filter((r) => events.includes(r.event));
}
