/** End-to-end: the benchmark runs through `dora run` in quick mode and reports every size. */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";

Deno.test("deno task bench (BENCH_QUICK=1) measures every quick size for TypeScript, Python and operators", async () => {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-prompt",
        `${ROOT}/examples/benchmark/run_bench.ts`,
      ],
      cwd: ROOT,
      env: { BENCH_QUICK: "1", BENCH_JSON: json, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    const text = dec.decode(out.stdout) + dec.decode(out.stderr);
    assert.deepEqual(out.code, 0, text);
    const result = JSON.parse(await Deno.readTextFile(json));
    assert.ok(result.baselines.ts.p50 > 0 && result.baselines.py.p50 > 0, text);
    for (const variant of ["ts", "py", "op"]) {
      const rows = result.rows.filter((r: { variant: string }) =>
        r.variant === variant
      );
      assert.deepEqual(
        rows.map((r: { bytes: number }) => r.bytes),
        [0, 8, 4096, 409600],
        text,
      );
      for (const r of rows) {
        // The latency input keeps the default queue: a stalled machine may drop a few.
        assert.ok(r.latency.n >= 1 && r.latency.n <= 20, text);
        // Quick mode: a long throughput phase up to 4 KiB, 20 messages above.
        assert.deepEqual(r.throughput.n, r.bytes <= 4096 ? 2000 : 20, text);
        assert.ok(r.latency.p50 > 0 && r.throughput.msgPerSec > 0, text);
      }
    }
    // Three per node variant, operator → operator vs node → node, and
    // TypeScript vs Python with each language's bare one-way floor.
    assert.deepEqual(result.targets.length, 8);
    for (const lang of ["ts", "py"]) {
      assert.ok(result.floors[lang].p50 > 0, text);
    }
    assert.ok(
      result.targets.some((t: { name: string; value: string }) =>
        /TypeScript → TypeScript ≤ Python → Python/.test(t.name) &&
        /bare one-way floors: Deno → Deno \S+ µs, Python → Python/.test(
          t.value,
        )
      ),
      text,
    );
    assert.ok(
      result.targets.some((t: { variant: string; value: string }) =>
        t.variant === "op" && /µs vs .* µs/.test(t.value)
      ),
      text,
    );
  } finally {
    await Deno.remove(json);
  }
});
