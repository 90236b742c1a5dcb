/** Checks that 2, 4, … 2*COUNT arrive in order; prints SUCCESS or exits 1. */
import { Node } from "dora";

const COUNT = Number(Deno.env.get("COUNT") ?? 200);
const node = await Node.init();
const got: number[] = [];
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "doubled") {
    got.push(...Array.from(event.value.toArray(), Number));
  } else if (event.type === "STOP") {
    break;
  }
}
const ok = got.length === COUNT && got.every((v, i) => v === 2 * (i + 1));
if (ok) {
  console.log(
    `SUCCESS: received ${COUNT} doubled numbers in order across daemons`,
  );
} else {
  console.error(
    `FAILURE: received ${got.length}: ${got.slice(0, 20).join(" ")} …`,
  );
  Deno.exit(1);
}
