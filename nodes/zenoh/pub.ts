/**
 * The built-in node `dora/zenoh/pub` (a node with `zenoh: {publish: KEY}`):
 * publishes every input on a zenoh key (`KEY` for a single input,
 * `KEY/<input id>` for several) in the open-data encoding (JSON for small
 * primitive arrays, Arrow IPC otherwise), with the dora metadata as a JSON
 * attachment `{"ts", "params"}`; docs/zenoh.md. Puts are reliable and keep
 * the input's order.
 *
 * A bridge lost mid-run does not end the node: it warns, drops (and counts)
 * the inputs of the outage, and publishes again once the bridge answers on
 * the same endpoint.
 *
 * Started by the runtime as `pub.ts KEY ws/HOST:PORT`.
 *
 * @module
 */
import { Node } from "dora";
import { ReconnectingSession } from "../../src/zenoh/reconnecting.ts";
import {
  encodeOpenData,
  openDataAttachment,
} from "../../src/zenoh/open_data.ts";

/** Bytes waiting for the bridge before the node waits for them to go. */
const MAX_QUEUED = 64 * 1024 * 1024;

const [key, endpoint] = Deno.args;
if (!key || !endpoint) {
  console.error("usage: pub.ts KEY ws/HOST:PORT (started by dora)");
  Deno.exit(2);
}
// The session first: the node joins the dataflow (and so holds the ready
// barrier) only once it can reach zenoh, so nothing sent at start is lost.
let session: ReconnectingSession;
try {
  session = await ReconnectingSession.open(endpoint, {
    onLost: (ep) =>
      console.error(
        `lost the zenoh bridge at ${ep}; inputs are not published until it is back`,
      ),
    onBack: (ep, dropped) =>
      console.error(
        `reconnected to the zenoh bridge at ${ep}; publishing again (${dropped} message(s) were not published meanwhile)`,
      ),
  });
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  Deno.exit(1);
}
const node = await Node.init();
const single = Object.keys(node.config.inputs).length <= 1;
let unencodable = 0;
for await (const e of node) {
  if (e.type === "STOP") break;
  if (e.type !== "INPUT") continue;
  let sample;
  try {
    sample = encodeOpenData(e.value);
  } catch (err) {
    if (unencodable++ === 0) {
      console.error(
        `input "${e.id}" cannot be encoded for zenoh: ${
          err instanceof Error ? err.message : err
        }; skipping such messages`,
      );
    }
    continue;
  }
  session.put(single ? key : `${key}/${e.id}`, sample.payload, {
    encoding: sample.encoding,
    attachment: openDataAttachment(
      e.metadata.timestamp,
      e.metadata.parameters,
    ),
  }); // resolves false (counted) while the bridge is gone
  if (session.queuedBytes > MAX_QUEUED) await session.flush();
}
await session.close();
if (unencodable > 0) {
  console.error(
    `${unencodable} message(s) could not be encoded and were skipped`,
  );
}
