/**
 * The built-in node `dora/zenoh/sub` (work in progress: not wired into the
 * descriptor yet): subscribes to a zenoh key expression and sends every
 * sample on its output, decoded by the open-data encoding.
 *
 * Usage: `sub.ts KEYEXPR [ws/HOST:PORT]`.
 */
import { Node } from "dora";
import { ZenohSession } from "../../src/zenoh/session.ts";
import { decodeOpenData } from "../../src/zenoh/open_data.ts";

const [key, endpoint = "ws/127.0.0.1:10000"] = Deno.args;
if (!key) throw new Error("dora/zenoh/sub needs a key expression");
const node = await Node.init();
const output = node.config.outputs[0] ?? "data";
const session = await ZenohSession.open(endpoint);
// Samples are sent one after the other, in arrival order.
let chain = Promise.resolve();
await session.subscribe(key, (s) => {
  chain = chain.then(() =>
    node.sendOutput(output, decodeOpenData(s.payload, s.encoding), {
      zenoh_key: s.key,
    })
  );
});
for await (const e of node) if (e.type === "STOP") break;
await chain;
await session.close();
