/**
 * Python nodes: the interpreter `dora run` would use for `.py` nodes, whether
 * it can import pyarrow (which the dora Python API needs), and whether
 * zero-copy samples count the numpy views of their buffer (Python 3.12, or
 * the C buffer type on older Pythons).
 *
 * @module
 */
import { resolvePython } from "../runtime/spawn/python_interpreter.ts";
import { type CheckResult, result } from "./check.ts";
import { runQuiet } from "./_run.ts";

/**
 * Checks python3 and pyarrow as seen from `cwd`, with the dora Python API of
 * `apiDir`. Problems are failures when `needed` (the dataflow has Python
 * nodes), warnings otherwise.
 */
export async function checkPython(
  cwd: string,
  needed: boolean,
  apiDir: string,
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
  if (arrow.code === 0) out.push(await checkSampleBuffer(python, cwd, apiDir));
  return out;
}

/** Asks the Python API for its sample buffer type (building it if need be). */
const SAMPLE_BUFFER_PROBE = `import sys
if sys.version_info >= (3, 12):
    print("pep688")
else:
    from dora import _native
    exporter, reason = _native.sample_buffer_exporter()
    print("native" if exporter is not None else "missing " + reason)`;

/**
 * Zero-copy samples (`send_output_raw`) refuse to send while a numpy view of
 * their buffer is alive only when the buffer counts its views: a warning
 * (samples still work, without that guard) when it cannot.
 */
async function checkSampleBuffer(
  python: string,
  cwd: string,
  apiDir: string,
): Promise<CheckResult> {
  const probe = await runQuiet(python, ["-c", SAMPLE_BUFFER_PROBE], {
    cwd,
    env: { PYTHONPATH: apiDir },
  });
  const answer = probe.stdout.split("\n").pop() ?? "";
  if (probe.code === 0 && answer === "pep688") {
    return result(
      "sample-buffer",
      "ok",
      "zero-copy samples count their views (Python 3.12+)",
    );
  }
  if (probe.code === 0 && answer === "native") {
    return result(
      "sample-buffer",
      "ok",
      "zero-copy samples count their views (the C buffer type, built)",
    );
  }
  const why = answer.startsWith("missing ")
    ? answer.slice("missing ".length)
    : probe.stderr.split("\n").pop() ?? "";
  return result(
    "sample-buffer",
    "warn",
    "zero-copy samples cannot count numpy views of their buffer on this Python",
    {
      details: [why],
      fix:
        "install a C compiler and Python's headers (`apt-get install gcc python3-dev`), then run scripts/setup.sh",
    },
  );
}
