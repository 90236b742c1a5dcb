/**
 * Python nodes: the interpreter `dora run` would use for `.py` nodes and
 * whether it can import pyarrow (which the dora Python API needs).
 *
 * @module
 */
import { resolvePython } from "../runtime/spawn/python_interpreter.ts";
import { type CheckResult, result } from "./check.ts";
import { runQuiet } from "./_run.ts";

/**
 * Checks python3 and pyarrow as seen from `cwd`. Problems are failures when
 * `needed` (the dataflow has Python nodes), warnings otherwise.
 */
export async function checkPython(
  cwd: string,
  needed: boolean,
): Promise<CheckResult[]> {
  const bad = needed ? "fail" : "warn";
  const python = resolvePython(cwd, {}, new Map()).cmd;
  const version = await runQuiet(python, ["--version"], { cwd });
  if (version.code !== 0) {
    return [
      result(
        "python",
        bad,
        `python3 not found${needed ? " (the dataflow has Python nodes)" : ""}`,
        {
          fix: "install Python 3 (e.g. `apt-get install python3 python3-pip`)",
        },
      ),
    ];
  }
  const out = [
    result("python", "ok", `${version.stdout || version.stderr} (${python})`),
  ];
  const arrow = await runQuiet(
    python,
    ["-c", "import pyarrow; print(pyarrow.__version__)"],
    { cwd },
  );
  out.push(
    arrow.code === 0
      ? result("pyarrow", "ok", `pyarrow ${arrow.stdout}`)
      : result("pyarrow", bad, `pyarrow is not importable by ${python}`, {
        fix: `${python} -m pip install pyarrow numpy`,
        details: arrow.stderr.split("\n").slice(-1),
      }),
  );
  return out;
}
