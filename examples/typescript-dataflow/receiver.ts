/** Checks that every square arrived, in order, then prints SUCCESS. */
import { Node } from "dora";

const count = Number(Deno.env.get("COUNT") ?? "50");
const node = await Node.init();
let expected = 0;
const errors: string[] = [];
for await (const event of node) {
  if (event.type === "INPUT") {
    const [a, b] = event.value.toArray() as Float64Array;
    const seq = Number(event.metadata.parameters.seq);
    if (
      seq !== expected || a !== expected ** 2 || b !== (expected + 0.5) ** 2
    ) {
      errors.push(`message ${expected}: got seq ${seq}, values ${a}, ${b}`);
    }
    expected++;
  }
}
if (expected !== count) {
  errors.push(`expected ${count} messages, got ${expected}`);
}
if (errors.length > 0) {
  console.error(`FAILURE: ${errors.join("; ")}`);
  Deno.exit(1);
}
console.log(`SUCCESS: received ${expected} squares in order`);
