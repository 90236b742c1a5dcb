/**
 * The relay floor's middle process: accepts a sink (on `<dir>/out.sock`),
 * then a sender (on `<dir>/in.sock`), and forwards every read from the
 * sender to the sink at once: dora's topology (node → daemon → node) with no
 * work in between. `deno run -A socket_relay.ts <dir>`; prints "ready".
 *
 * @module
 */
const dir = Deno.args[0];
const out = Deno.listen({ transport: "unix", path: `${dir}/out.sock` });
const inp = Deno.listen({ transport: "unix", path: `${dir}/in.sock` });
console.log("ready");
const sink = await out.accept();
const sender = await inp.accept();
const buf = new Uint8Array(64 * 1024);
for (;;) {
  const n = await sender.read(buf);
  if (n === null) break;
  let off = 0;
  while (off < n) off += await sink.write(buf.subarray(off, n));
}
sink.close();
sender.close();
out.close();
inp.close();
