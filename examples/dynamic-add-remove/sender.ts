/** Sends 1, 2, 3, … on `value`, one number per tick. */
import { Node } from "dora";

const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "tick") {
    await node.sendOutput("value", new BigInt64Array([BigInt(++n)]));
  }
}
