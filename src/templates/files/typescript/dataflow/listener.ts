/** Prints every greeting it receives; exits when the talker is done. */
import { Node } from "dora";

const node = await Node.init();
let received = 0;
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "greeting") {
    received++;
    console.log(`listener received: ${event.value.get(0)}`);
  }
}
console.log(`listener: ${received} greetings in all`);
