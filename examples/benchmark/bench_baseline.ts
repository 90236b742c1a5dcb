/**
 * The floor for small messages: a bare round trip of 8 bytes between two
 * Deno processes over a Unix socket, spaced like the latency phase.
 *
 * @module
 */

/** Median and p99 of the round trip, in ns. */
export interface Baseline {
  n: number;
  p50: number;
  p99: number;
}

/** Measures `n` round trips, `gapMs` apart, against socket_echo.ts. */
export async function socketBaseline(n: number, gapMs = 5): Promise<Baseline> {
  const dir = await Deno.makeTempDir({ prefix: "dora-bench-" });
  const path = `${dir}/echo.sock`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./socket_echo.ts", import.meta.url).pathname,
      path,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    await reader.read(); // "ready"
    reader.releaseLock();
    const conn = await Deno.connect({ transport: "unix", path });
    const msg = new Uint8Array(8);
    const back = new Uint8Array(8);
    const samples: number[] = [];
    for (let i = 0; i < n + 10; i++) {
      const t0 = performance.now();
      await conn.write(msg);
      let got = 0;
      while (got < 8) {
        const r = await conn.read(back.subarray(got));
        if (r === null) throw new Error("echo peer closed the socket");
        got += r;
      }
      if (i >= 10) samples.push((performance.now() - t0) * 1e6); // warm-up skipped
      await new Promise((r) => setTimeout(r, gapMs));
    }
    conn.close();
    samples.sort((a, b) => a - b);
    const pct = (p: number) =>
      Math.round(samples[Math.round((p / 100) * (samples.length - 1))]);
    return { n, p50: pct(50), p99: pct(99) };
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}
