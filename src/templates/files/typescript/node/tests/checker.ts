/** Prints the values that came out of the node under test. */
import { Node } from "dora";

const node = await Node.init();
const values: number[] = [];
for await (const event of node) {
  if (event.type === "INPUT") values.push(...event.value.toArray());
}
console.log(`checker got [${values.join(", ")}]`);
