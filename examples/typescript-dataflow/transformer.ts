/** Squares every value it receives and forwards the sequence number. */
import { Node } from "dora";

const node = await Node.init();
for await (const event of node) {
  if (event.type === "INPUT") {
    const values = Float64Array.from(
      event.value.toArray() as Float64Array,
      (v) => v * v,
    );
    await node.sendOutput("squares", values, {
      seq: event.metadata.parameters.seq!,
    });
  }
}
