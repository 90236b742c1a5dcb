import assert from "node:assert/strict";
import { decodeJson, encodeJson } from "../control/json.ts";
import { analyze } from "./load.ts";
import {
  checkResolvedDataflow,
  InvalidDataflowError,
} from "./resolved_check.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Every descriptor of the repository that loads without errors. */
function loadable(): string[] {
  const paths: string[] = [];
  for (const dir of ["examples", "tests/descriptor_cases"]) {
    const walk = (d: string) => {
      for (const e of Deno.readDirSync(d)) {
        const p = `${d}/${e.name}`;
        if (e.isDirectory) walk(p);
        else if (/^(dataflow.*|[a-z_]+_ok|warnings.*)\.ya?ml$/.test(e.name)) {
          paths.push(p);
        }
      }
    };
    walk(`${ROOT}${dir}`);
  }
  return paths;
}

Deno.test("checkResolvedDataflow() accepts every loadable descriptor after the wire round trip", async () => {
  let checked = 0;
  for (const path of loadable()) {
    const { dataflow } = await analyze(path);
    if (!dataflow) continue;
    assert.ok(dataflow.descriptor, `${path}: the flat descriptor rides along`);
    // What `dora start --uv` sends.
    const started = { ...dataflow, uv: true };
    const wire = decodeJson(encodeJson(started));
    assert.deepEqual(checkResolvedDataflow(wire), started, path);
    checked++;
  }
  assert.ok(checked >= 10, `only ${checked} descriptors checked`);
});

Deno.test("checkResolvedDataflow() names the field of every problem", () => {
  let problems: string[] = [];
  try {
    checkResolvedDataflow({
      path: "/x.yml",
      nodes: [{ id: "a", path: 1 }],
      healthCheckInterval: 0,
      debug: { publishAllMessages: false },
      extra: true,
    });
  } catch (e) {
    assert.ok(e instanceof InvalidDataflowError);
    problems = e.problems;
  }
  for (const field of ["nodes[0].path", "workingDir", "healthCheckInterval"]) {
    assert.ok(
      problems.some((p) => p.startsWith(`${field}:`)),
      `${field} in ${problems.join("\n")}`,
    );
  }
  assert.ok(problems.some((p) => p.includes("extra")), problems.join("\n"));
});

Deno.test("checkResolvedDataflow() checks the wiring like the loader", () => {
  const node = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    path: "n.ts",
    env: {},
    inputs: [],
    outputs: ["out"],
    restartPolicy: "never",
    maxRestarts: 0,
    maxRotatedFiles: 5,
    ...extra,
  });
  const df = (...nodes: unknown[]) => ({
    path: "/x.yml",
    workingDir: "/",
    nodes,
    healthCheckInterval: 5,
    debug: { publishAllMessages: false },
  });
  const input = (node: string, output: string) => ({
    id: "in",
    sourceText: `${node}/${output}`,
    source: { kind: "node", node, output },
    queueSize: 10,
    queuePolicy: "drop_oldest",
  });
  assert.throws(
    () =>
      checkResolvedDataflow(
        df(node("a"), node("b", { inputs: [input("a", "nope")] })),
      ),
    /nodes\[1\]\.inputs\[0\]\.source: node "a" has no output "nope"/,
  );
  assert.throws(
    () => checkResolvedDataflow(df(node("a b"))),
    /nodes\[0\]\.id: "a b" contains a space/,
  );
  assert.doesNotThrow(() =>
    checkResolvedDataflow(
      df(node("a"), node("b", { inputs: [input("a", "out")] })),
    )
  );
});
