/** Sends [1], [2], [3] on `numbers`, then exits. */
import { Node } from "dora";

const node = await Node.init();
let sent = 0;
for await (const event of node) {
  if (event.type === "INPUT") {
    sent++;
    await node.sendOutput("numbers", new Float64Array([sent]));
    if (sent === 3) break;
  }
}
await node.close();
