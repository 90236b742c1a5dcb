// Checks that 2, 4, …, 40 arrive in order with their `seq`, then prints
// SUCCESS once the operators' output closed and every message was handed
// over (the stream ends with STOP, cause ALL_INPUTS_CLOSED); exit 1 on any
// problem.
import { Node } from "dora";

const node = await Node.init();
const got: bigint[] = [];
for await (const event of node) {
  if (event.type === "INPUT") {
    const value = event.value.get(0) as bigint;
    const seq = Number(event.metadata.parameters.seq);
    if (value !== BigInt(seq * 2)) {
      console.error(`FAILURE: message ${seq} carries ${value}`);
      Deno.exit(1);
    }
    got.push(value);
  }
}
const expected = Array.from({ length: 20 }, (_, i) => BigInt(2 * (i + 1)));
if (got.join() !== expected.join()) {
  console.error(`FAILURE: got ${got.join(", ")}`);
  Deno.exit(1);
}
console.log(`SUCCESS: ${got.length} doubled counts in order`);
