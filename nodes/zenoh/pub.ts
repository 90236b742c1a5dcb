/**
 * The built-in node `dora/zenoh/pub` (work in progress: not wired into the
 * descriptor yet): publishes every input on a zenoh key (`KEY` for a single
 * input, `KEY/<input id>` for several) in the open-data encoding, with the
 * metadata as a JSON attachment.
 *
 * Usage: `pub.ts KEY [ws/HOST:PORT]`.
 */
import { Node } from "dora";
import { ZenohSession } from "../../src/zenoh/session.ts";
import { encodeOpenData } from "../../src/zenoh/open_data.ts";

const [key, endpoint = "ws/127.0.0.1:10000"] = Deno.args;
if (!key) throw new Error("dora/zenoh/pub needs a key");
const node = await Node.init();
const session = await ZenohSession.open(endpoint);
const single = Object.keys(node.config.inputs ?? {}).length <= 1;
const enc = new TextEncoder();
for await (const e of node) {
  if (e.type === "STOP") break;
  if (e.type !== "INPUT") continue;
  const sample = encodeOpenData(e.value);
  session.put(single ? key : `${key}/${e.id}`, sample.payload, {
    encoding: sample.encoding,
    attachment: enc.encode(JSON.stringify({
      ts: String(e.metadata.timestamp ?? ""),
      params: e.metadata.parameters ?? {},
    })),
  }).catch((err) => console.error(`zenoh put: ${err}`));
}
await session.close();
