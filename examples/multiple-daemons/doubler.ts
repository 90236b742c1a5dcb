/** Doubles every number it receives (runs on machine B). */
import { Node } from "dora";

const node = await Node.init();
let count = 0;
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "numbers") {
    const values = Array.from(event.value.toArray(), Number);
    await node.sendOutput(
      "doubled",
      values.map((v) => v * 2),
      event.metadata.parameters,
    );
    count++;
  } else if (event.type === "STOP") {
    break;
  }
}
console.log(`doubler: forwarded ${count} messages`);
