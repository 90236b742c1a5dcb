/**
 * A synthetic camera: 32x24 RGB frames with one bright 4x4 square moving
 * left to right. Stops after 20 frames.
 */
import { vectorOf } from "dora";
import { Image, initNode } from "./types.ts";

const WIDTH = 32;
const HEIGHT = 24;
const node = await initNode("camera");
let frame = 0;
for await (const event of node) {
  if (event.type === "STOP") break;
  if (event.type !== "INPUT" || event.id !== "tick") continue;
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  const left = frame % (WIDTH - 4);
  for (let y = 10; y < 14; y++) {
    for (let x = left; x < left + 4; x++) {
      data.fill(255, (y * WIDTH + x) * 3, (y * WIDTH + x) * 3 + 3);
    }
  }
  await node.sendOutput(
    "image",
    vectorOf(Image, [{ width: WIDTH, height: HEIGHT, encoding: "rgb8", data }]),
    { frame },
  );
  if (++frame === 20) break;
}
