/**
 * Multiplies each value by `--factor N` (the module's `factor` param, also in
 * `PARAM_FACTOR`).
 */
import { Node } from "dora";

const i = Deno.args.indexOf("--factor");
const factor = Number(
  i >= 0 ? Deno.args[i + 1] : Deno.env.get("PARAM_FACTOR") ?? "2",
);
const node = await Node.init();
for await (const event of node) {
  if (event.type === "INPUT") {
    const values = Array.from(event.value.toArray(), Number);
    await node.sendOutput(
      "doubled",
      values.map((v) => v * factor),
      event.metadata.parameters,
    );
  } else if (event.type === "STOP") {
    break;
  }
}
