/**
 * The dataflow given with `--dataflow`: the full `dora validate` analysis,
 * and what its nodes need from this machine (Python, git, uv, …).
 *
 * @module
 */
import { analyze, formatDiagnostic, hasErrors } from "../descriptor/mod.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import { type CheckResult, result } from "./check.ts";
import { runQuiet } from "./_run.ts";

/** What the nodes of a dataflow need. */
export interface DataflowNeeds {
  python: boolean;
  typescript: boolean;
  git: boolean;
  dir: string;
}

/** Validates `path`; resolves to the check and the dataflow's needs. */
export async function checkDescriptor(
  path: string,
): Promise<{ check: CheckResult; needs?: DataflowNeeds }> {
  const analysis = await analyze(path);
  const lines = analysis.diagnostics.map(formatDiagnostic);
  const errors = hasErrors(analysis.diagnostics);
  const warnings = analysis.diagnostics.length -
    analysis.diagnostics.filter((d) => d.severity === "error").length;
  if (errors || !analysis.dataflow) {
    return {
      check: result("dataflow", "fail", `${path}: invalid`, {
        details: lines,
        fix: "fix the problems listed (dora validate shows the same)",
      }),
    };
  }
  const df = analysis.dataflow;
  const n = df.nodes.length;
  return {
    check: result(
      "dataflow",
      warnings ? "warn" : "ok",
      `${path}: valid (${n} node${n === 1 ? "" : "s"}${
        warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""
      })`,
      { details: lines, fix: "see the warnings above" },
    ),
    needs: needsOf(df),
  };
}

function needsOf(df: Dataflow): DataflowNeeds {
  const paths = df.nodes.map((n) => n.path);
  return {
    python: paths.some((p) => p.endsWith(".py")) ||
      df.nodes.some((n) => n.operators?.some((o) => o.source.python)),
    typescript: paths.some((p) => /\.(ts|js|mts|mjs|tsx|jsx)$/.test(p)),
    git: df.nodes.some((n) => n.git),
    dir: df.workingDir,
  };
}

/** git, for `git:` nodes. */
export async function checkGit(): Promise<CheckResult> {
  const r = await runQuiet("git", ["--version"]);
  return r.code === 0
    ? result("git", "ok", r.stdout)
    : result("git", "fail", "git not found (the dataflow has git: nodes)", {
      fix: "install git (e.g. `apt-get install git`)",
    });
}
