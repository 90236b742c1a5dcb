/** The echoing side of the cross-daemon benchmark (machine B). */
import { Node } from "dora";

const node = await Node.init();
for await (const e of node) {
  if (e.type !== "INPUT") continue;
  const p = e.metadata.parameters ?? {};
  // Small acks: the round trip measures one big message, not two.
  if (p.echo) await node.sendOutput("pong", new Uint8Array(8), { seq: p.seq });
}
