/** Sends the numbers 1..10, one per tick, then exits (which ends the dataflow). */
import { Node } from "dora";

const COUNT = 10;
const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "tick") {
    n++;
    await node.sendOutput("value", [n], { sequence: n });
    if (n === COUNT) break;
  } else if (event.type === "STOP") {
    break;
  }
}
console.log(`sender: sent ${n} values`);
