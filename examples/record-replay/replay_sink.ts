/**
 * Counts the bytes it receives and prints, at the end, the rate between the
 * first and the last message: `replay_sink {"messages":…,"bytes":…,"seconds":…}`.
 */
import { Node } from "dora";

const node = await Node.init();
let messages = 0;
let bytes = 0;
let first = 0;
let last = 0;
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const now = performance.now();
  if (messages === 0) first = now;
  last = now;
  messages++;
  bytes += event.value.data[0]?.values?.byteLength ?? 0;
}
console.log(
  `replay_sink ${
    JSON.stringify({ messages, bytes, seconds: (last - first) / 1000 })
  }`,
);
