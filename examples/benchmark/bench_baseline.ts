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

/**
 * The floor of dora's topology: 8 bytes from this process through a relay
 * process (socket_relay.ts) to a third one (this process again, on a second
 * connection), `gapMs` apart: two one-way socket trips and three processes,
 * like sender → daemon → sink, with nothing done in between. Informational:
 * the targets compare with the round trip.
 */
export async function relayBaseline(n: number, gapMs = 5): Promise<Baseline> {
  const dir = await Deno.makeTempDir({ prefix: "dora-bench-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./socket_relay.ts", import.meta.url).pathname,
      dir,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    await reader.read(); // "ready"
    reader.releaseLock();
    const sink = await Deno.connect({
      transport: "unix",
      path: `${dir}/out.sock`,
    });
    const sender = await Deno.connect({
      transport: "unix",
      path: `${dir}/in.sock`,
    });
    const msg = new Uint8Array(8);
    const back = new Uint8Array(8);
    const samples: number[] = [];
    for (let i = 0; i < n + 10; i++) {
      const t0 = performance.now();
      await sender.write(msg);
      let got = 0;
      while (got < 8) {
        const r = await sink.read(back.subarray(got));
        if (r === null) throw new Error("relay closed the socket");
        got += r;
      }
      if (i >= 10) samples.push((performance.now() - t0) * 1e6);
      await new Promise((r) => setTimeout(r, gapMs));
    }
    sender.close();
    sink.close();
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
