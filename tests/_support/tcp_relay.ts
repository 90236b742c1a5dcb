/**
 * `deno run _tcp_relay.ts HOST PORT`: relays stdin to HOST:PORT and its
 * answers to stdout (the ProxyCommand of a lab machine in its own network
 * namespace).
 *
 * @module
 */
const [hostname, port] = Deno.args;
const conn = await Deno.connect({ hostname, port: Number(port) });
await Promise.race([
  Deno.stdin.readable.pipeTo(conn.writable).catch(() => {}),
  conn.readable.pipeTo(Deno.stdout.writable).catch(() => {}),
]);
Deno.exit(0);
