/**
 * ___name___: a dora node. Every message on input `in` is sent on, unchanged,
 * on output `out`; it finishes when its inputs close or the dataflow stops.
 */
import { Node } from "dora";

const node = await Node.init();
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "in") {
    await node.sendOutput("out", event.value, event.metadata.parameters);
  }
}
await node.close();
