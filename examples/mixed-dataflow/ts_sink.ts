/** Checks what Python sends back; prints SUCCESS (exit 0) or the problem (exit 1). */
import { Node } from "dora";
import { matches } from "./pattern.ts";

const node = await Node.init();
const seqs: number[] = [];
let bigOk = false;
let pyOk = false;
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const params = event.metadata.parameters;
  if (event.id === "doubled") {
    const seq = Number(params.seq);
    const values = Array.from(event.value.toArray() as Float32Array);
    if (
      params.from === "py" && values[0] === 2 * seq && values[1] === 2 * seq + 1
    ) {
      seqs.push(seq);
    } else {console.error(
        `bad doubled message: ${JSON.stringify(params)} ${values}`,
      );}
  } else if (event.id === "big_back") {
    bigOk = matches(event.value.toArray() as Float32Array, 2);
    pyOk = params.ok === true;
  }
}
const inOrder = seqs.length === 10 && seqs.every((s, i) => s === i);
if (inOrder && bigOk && pyOk) {
  console.log(
    "SUCCESS: 10 arrays TS -> Python -> TS in order; 10 MB bit-exact TS -> Python and Python -> TS",
  );
} else {
  console.error(
    `FAILURE: seqs=${seqs} python->ts 10 MB exact=${bigOk} ts->python 10 MB exact=${pyOk}`,
  );
  Deno.exit(1);
}
