/** End-to-end: the timer benchmark runs a timer through `dora run` and reports it. */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";

Deno.test("deno task bench:timers measures a timer's rate, period and missed ticks", async () => {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-prompt",
        `${ROOT}/examples/benchmark/run_timers.ts`,
      ],
      cwd: ROOT,
      env: {
        BENCH_TIMERS: "millis/5",
        DURATION: "1",
        BENCH_JSON: json,
        NO_COLOR: "1",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    const text = dec.decode(out.stdout) + dec.decode(out.stderr);
    assert.equal(out.code, 0, text);
    const [row] = JSON.parse(await Deno.readTextFile(json));
    assert.equal(row.source, "dora/timer/millis/5");
    assert.equal(row.nominal, 200);
    assert.ok(row.ticks > 0 && row.rate > 0 && row.p99_ms > 0, text);
    assert.ok(Number.isInteger(row.missed), text);
    assert.match(text, /dora\/timer\/millis\/5 +200 /);
  } finally {
    await Deno.remove(json);
  }
});
