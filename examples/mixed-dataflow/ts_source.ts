/** Sends 10 small Float32 arrays with a `seq` parameter, then the 10 MB pattern. */
import { Node } from "dora";
import { pattern } from "./pattern.ts";

const COUNT = 10;
const node = await Node.init();
let seq = 0;
for await (const event of node) {
  if (event.type !== "INPUT" || event.id !== "tick") continue;
  await node.sendOutput("numbers", new Float32Array([seq, seq + 0.5]), {
    seq,
    from: "ts",
  });
  seq++;
  if (seq === COUNT) {
    await node.sendOutput("big", pattern(1), { seed: 1 });
    break;
  }
}
node.log("info", `sent ${seq} arrays and 10 MB`);
await node.close();
