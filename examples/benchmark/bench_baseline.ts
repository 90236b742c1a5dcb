/**
 * The floors for small messages: bare 8-byte trips between Deno processes
 * over Unix sockets, spaced like the latency phase, with nothing done in
 * between.
 *
 * @module
 */

/** Median and p99 of a trip, in ns. */
export interface Baseline {
  n: number;
  p50: number;
  p99: number;
}

/** Measures `n` round trips, `gapMs` apart, against socket_echo.ts. */
export function socketBaseline(n: number, gapMs = 5): Promise<Baseline> {
  return withPeer(
    "socket_echo.ts",
    (dir) => `${dir}/echo.sock`,
    async (dir) => {
      const conn = await Deno.connect({
        transport: "unix",
        path: `${dir}/echo.sock`,
      });
      try {
        return await measure(n, gapMs, conn, conn);
      } finally {
        conn.close();
      }
    },
  );
}

/**
 * The floor of dora's topology: 8 bytes from this process through a relay
 * process (socket_relay.ts) to a third one (this process again, on a second
 * connection), `gapMs` apart: two one-way socket trips and three processes,
 * like sender → daemon → sink. Informational: the targets compare with the
 * round trip.
 */
export function relayBaseline(n: number, gapMs = 5): Promise<Baseline> {
  return withPeer("socket_relay.ts", (dir) => dir, async (dir) => {
    const sink = await Deno.connect({
      transport: "unix",
      path: `${dir}/out.sock`,
    });
    const sender = await Deno.connect({
      transport: "unix",
      path: `${dir}/in.sock`,
    });
    try {
      return await measure(n, gapMs, sender, sink);
    } finally {
      sender.close();
      sink.close();
    }
  });
}

/**
 * The bare one-way floor of one language: `n` 8-byte stamps, 5 ms apart,
 * from one process to another (oneway.ts / oneway.py), timed like a dora
 * message (arrival − the sender's wall-clock stamp).
 */
export async function oneWayBaseline(
  lang: "ts" | "py",
  n: number,
): Promise<Baseline> {
  const dir = await Deno.makeTempDir({ prefix: "dora-bench-" });
  const path = `${dir}/oneway.sock`;
  const command = (role: string) => {
    const script = new URL(`oneway.${lang}`, import.meta.url).pathname;
    const args = [role, path, String(n)];
    return lang === "ts"
      ? new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script, ...args],
        stdout: "piped",
      })
      : new Deno.Command("python3", {
        args: [script, ...args],
        stdout: "piped",
      });
  };
  const recv = command("recv").spawn();
  try {
    const lines = recv.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    while (!text.includes("ready\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`oneway.${lang} ended before it listened`);
      text += value;
    }
    await command("send").output();
    while (!/\{.*\}/.test(text)) {
      const { value, done } = await lines.read();
      if (done) break;
      text += value;
    }
    await lines.cancel();
    return JSON.parse(/\{.*\}/.exec(text)![0]) as Baseline;
  } finally {
    try {
      recv.kill("SIGKILL");
    } catch { /* already gone */ }
    await recv.status;
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Starts `script` (it prints "ready" once listening) with the argument
 * `argOf(tempDir)`, runs `use`, then kills the peer and removes the folder.
 */
async function withPeer<T>(
  script: string,
  argOf: (dir: string) => string,
  use: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "dora-bench-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(script, import.meta.url).pathname, argOf(dir)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    await reader.read(); // "ready"
    reader.releaseLock();
    return await use(dir);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

/** Times `n` trips of 8 bytes written to `out` until they are read on `back`. */
async function measure(
  n: number,
  gapMs: number,
  out: Deno.Conn,
  back: Deno.Conn,
): Promise<Baseline> {
  const msg = new Uint8Array(8);
  const got = new Uint8Array(8);
  const samples: number[] = [];
  for (let i = 0; i < n + 10; i++) {
    const t0 = performance.now();
    await out.write(msg);
    for (let read = 0; read < 8;) {
      const r = await back.read(got.subarray(read));
      if (r === null) throw new Error("the peer closed the socket");
      read += r;
    }
    if (i >= 10) samples.push((performance.now() - t0) * 1e6); // warm-up skipped
    await new Promise((r) => setTimeout(r, gapMs));
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round(samples[Math.round((p / 100) * (samples.length - 1))]!);
  return { n, p50: pct(50), p99: pct(99) };
}
