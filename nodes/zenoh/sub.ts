/**
 * The built-in node `dora/zenoh/sub` (a node with `zenoh: {subscribe:
 * KEYEXPR}`): subscribes to a zenoh key expression on the bridge and sends
 * every sample on its one output, in arrival order, decoded by the open-data
 * encoding (Arrow IPC, JSON, text, else raw bytes as uint8; docs/zenoh.md).
 * Each message carries the sample's key as the parameter `zenoh_key`.
 *
 * A bridge lost mid-run does not end the node: it warns and subscribes again
 * once the bridge answers on the same endpoint (samples published meanwhile
 * are not seen).
 *
 * Started by the runtime as `sub.ts KEYEXPR ws/HOST:PORT`.
 *
 * @module
 */
import { Node } from "dora";
import { ReconnectingSession } from "../../src/zenoh/reconnecting.ts";
import { decodeOpenData } from "../../src/zenoh/open_data.ts";

const [key, endpoint] = Deno.args;
if (!key || !endpoint) {
  console.error("usage: sub.ts KEYEXPR ws/HOST:PORT (started by dora)");
  Deno.exit(2);
}
// The session first: a bridge that is not there fails the start.
let session: ReconnectingSession;
try {
  session = await ReconnectingSession.open(endpoint, {
    onLost: (ep) =>
      console.error(
        `lost the zenoh bridge at ${ep}; no samples until it is back`,
      ),
    onBack: (ep) =>
      console.error(
        `reconnected to the zenoh bridge at ${ep}; subscribed to "${key}" again`,
      ),
  });
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  Deno.exit(1);
}
const node = await Node.init();
const output = node.config.outputs[0];
let stopping = false;
let bad = 0;
// One send after the other: the output keeps the samples' order.
let chain = Promise.resolve();
const sub = await session.subscribe(key, (s) => {
  chain = chain.then(async () => {
    if (stopping) return;
    let value;
    try {
      value = decodeOpenData(s.payload, s.encoding);
    } catch (err) {
      if (bad++ === 0) {
        console.error(
          `zenoh sample on "${s.key}" (encoding "${s.encoding}") cannot be read: ${
            err instanceof Error ? err.message : err
          }; skipping such samples`,
        );
      }
      return;
    }
    await node.sendOutput(output, value, { zenoh_key: s.key });
  }).catch((err) => {
    console.error(`sending a zenoh sample: ${err?.message ?? err}`);
  });
});
console.error(`subscribed to "${key}" at ${endpoint}`);
for await (const e of node) if (e.type === "STOP") break;
stopping = true;
await sub.undeclare().catch(() => {});
await chain;
await session.close();
if (bad > 0) console.error(`${bad} unreadable zenoh sample(s) skipped`);
