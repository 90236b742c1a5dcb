/**
 * A camera stand-in: `SIZE` bytes (default 4 MB) per tick, written straight
 * into shared memory, with a frame counter. Runs until STOP.
 */
import { Node } from "dora";

const size = Number(Deno.env.get("SIZE") ?? 4 << 20);
const node = await Node.init();
let frame = 0;
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const image = node.allocate("image", size);
  image[0] = frame & 0xff;
  image[size - 1] = (frame >> 8) & 0xff;
  await node.sendOutput("image", image, { frame, width: 1024, height: 1024 });
  frame++;
}
