/** Sends 1..COUNT (default 200), one per tick, then exits. */
import { Node } from "dora";

const COUNT = Number(Deno.env.get("COUNT") ?? 200);
const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "tick") {
    n++;
    await node.sendOutput("numbers", [n], { seq: n });
    if (n === COUNT) break;
  } else if (event.type === "STOP") {
    break;
  }
}
console.log(`source: sent ${n} numbers`);
