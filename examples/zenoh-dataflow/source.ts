// Ten small messages (JSON on zenoh) with a parameter, then one big array
// (Arrow IPC on zenoh).
import { Node } from "dora";

const node = await Node.init();
for (let i = 0; i < 10; i++) await node.sendOutput("data", [i], { seq: i });
await node.sendOutput("data", new Int32Array(10000).map((_, i) => i));
