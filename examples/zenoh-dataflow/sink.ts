// Prints what the zenoh subscriber node hands over, with the zenoh key.
import { Node } from "dora";

const node = await Node.init();
let n = 0;
for await (const e of node) {
  if (e.type !== "INPUT") continue;
  const v = Array.from(e.value.toArray() as ArrayLike<number>, Number);
  const text = v.length > 100
    ? `arrow ${v.length} sum ${v.reduce((a, b) => a + b, 0)}`
    : JSON.stringify(v);
  console.log(`got ${text} key ${e.metadata.parameters.zenoh_key}`);
  if (++n === 21) console.log("sink done");
}
