/** Prints what arrives: every `value`, and `filtered` once a filter feeds it. */
import { Node } from "dora";

const node = await Node.init();
for await (const event of node) {
  if (event.type === "INPUT") {
    console.log(`receiver: ${event.id} ${event.value.get(0)}`);
  } else if (event.type === "INPUT_CLOSED") {
    console.log(`receiver: input ${event.id} closed`);
  }
}
