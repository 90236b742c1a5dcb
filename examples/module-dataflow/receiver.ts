/** Prints every value it receives and a summary when its input closes. */
import { Node } from "dora";

const node = await Node.init();
const received: number[] = [];
for await (const event of node) {
  if (event.type === "INPUT") {
    const values = Array.from(event.value.toArray(), Number);
    received.push(...values);
    console.log(`receiver: ${event.id} = ${values.join(", ")}`);
  } else if (event.type === "STOP") {
    break;
  }
}
console.log(
  `receiver: received ${received.length} values: ${received.join(" ")}`,
);
