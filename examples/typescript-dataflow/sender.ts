/** Sends the numbers 0..COUNT-1 as Float64 arrays of [n, n+0.5], one per tick. */
import { Node } from "dora";

const count = Number(Deno.env.get("COUNT") ?? "50");
const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "tick") {
    await node.sendOutput("numbers", new Float64Array([n, n + 0.5]), {
      seq: n,
    });
    n++;
    if (n >= count) break;
  }
}
node.log("info", `sent ${n} messages`, { count: String(n) });
