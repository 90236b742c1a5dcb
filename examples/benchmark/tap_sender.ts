/**
 * Tap benchmark sender: on `go`, 8-byte messages on `fast` at TAP_RATE Hz
 * (paced per millisecond) for TAP_SECONDS, then a 1-byte sentinel.
 */
import { Node } from "dora";

const rate = Number(Deno.env.get("TAP_RATE") ?? "10000");
const seconds = Number(Deno.env.get("TAP_SECONDS") ?? "5");
const node = await Node.init();
const data = new Uint8Array(8);
for await (const event of node) {
  if (event.type === "STOP") break;
  if (event.type !== "INPUT") continue;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(
      total,
      Math.floor(((performance.now() - start) / 1000) * rate),
    );
    for (; sent < due; sent++) await node.sendOutput("fast", data);
    await new Promise((r) => setTimeout(r, 1));
  }
  await node.sendOutput("fast", new Uint8Array(1));
  break;
}
await node.close();
