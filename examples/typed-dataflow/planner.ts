/**
 * Steers towards the detected square: turns in proportion to how far its
 * centre is from the middle of the image, drives forward when it is centred.
 */
import { vectorOf } from "dora";
import { DriveCommand, initNode } from "./types.ts";

const CENTRE = 16;
const node = await initNode("planner");
for await (const event of node) {
  if (event.type === "STOP") break;
  if (event.type !== "INPUT") continue;
  const boxes = event.value.get(0)?.boxes.toArray() ?? [];
  const box = boxes[0];
  const offset = box ? box.x + box.width / 2 - CENTRE : 0;
  const frame = Number(event.metadata.parameters.frame ?? 0);
  await node.sendOutput(
    "command",
    vectorOf(DriveCommand, [{
      twist: {
        linear: { x: Math.abs(offset) < 2 ? 0.5 : 0, y: 0, z: 0 },
        angular: { x: 0, y: 0, z: -0.1 * offset },
      },
      target: box ? box.label : "none",
      frame: BigInt(frame),
    }]),
  );
}
