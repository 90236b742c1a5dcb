/** An IMU stand-in: 8 bytes (one f64) per tick. Runs until STOP. */
import { Node } from "dora";

const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  await node.sendOutput("accel", new Float64Array([n++ * 0.001]));
}
