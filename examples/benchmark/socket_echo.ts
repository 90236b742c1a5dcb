/**
 * The baseline peer: echoes everything it reads on one Unix-socket
 * connection. `deno run -A socket_echo.ts <path>`; prints "ready" once
 * listening.
 *
 * @module
 */
const path = Deno.args[0];
const listener = Deno.listen({ transport: "unix", path });
console.log("ready");
const conn = await listener.accept();
const buf = new Uint8Array(64 * 1024);
for (;;) {
  const n = await conn.read(buf);
  if (n === null) break;
  let off = 0;
  while (off < n) off += await conn.write(buf.subarray(off, n));
}
conn.close();
listener.close();
