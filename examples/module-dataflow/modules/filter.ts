/** Keeps the values that are multiples of `PARAM_MULTIPLE_OF` (default 2). */
import { Node } from "dora";

const multipleOf = Number(Deno.env.get("PARAM_MULTIPLE_OF") ?? "2");
const node = await Node.init();
for await (const event of node) {
  if (event.type === "INPUT") {
    const kept = Array.from(event.value.toArray(), Number).filter((v) =>
      v % multipleOf === 0
    );
    if (kept.length > 0) {
      await node.sendOutput("filtered", kept, event.metadata.parameters);
    }
  } else if (event.type === "STOP") {
    break;
  }
}
