/**
 * A bare one-way floor: 8-byte wall-clock stamps from one Deno process to
 * another over a Unix socket, 5 ms apart, nothing done in between.
 * `deno run -A oneway.ts recv <path> <n>` listens, prints "ready", and at the
 * end one JSON line `{"n","p50","p99"}` (arrival − stamp, ns);
 * `deno run -A oneway.ts send <path> <n>` sends. oneway.py is the Python twin.
 *
 * @module
 */
const [role, path, count] = Deno.args;
const n = Number(count);
const now = () => performance.timeOrigin + performance.now(); // wall ms
if (role === "recv") {
  const listener = Deno.listen({ transport: "unix", path });
  console.log("ready");
  const conn = await listener.accept();
  const buf = new Uint8Array(8);
  const view = new DataView(buf.buffer);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let got = 0; got < 8;) {
      const r = await conn.read(buf.subarray(got));
      if (r === null) throw new Error("the sender closed the socket");
      got += r;
    }
    samples.push((now() - view.getFloat64(0, true)) * 1e6);
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round(samples[Math.round((p / 100) * (samples.length - 1))]!);
  console.log(JSON.stringify({ n, p50: pct(50), p99: pct(99) }));
  conn.close();
  listener.close();
} else {
  const conn = await Deno.connect({ transport: "unix", path });
  const buf = new Uint8Array(8);
  const view = new DataView(buf.buffer);
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, 5));
    view.setFloat64(0, now(), true);
    await conn.write(buf);
  }
  conn.close();
}
