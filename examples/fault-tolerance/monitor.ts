/** Reports what a downstream node sees of a flaky upstream. */
import { Node } from "dora";

const node = await Node.init();
let readings = 0;
let restarts = 0;
const failures: string[] = [];

for await (const event of node) {
  switch (event.type) {
    case "INPUT":
      readings++;
      break;
    case "NODE_RESTARTED":
      restarts++;
      console.log(`monitor: upstream \`${event.id}\` is restarting`);
      break;
    case "NODE_FAILED":
      failures.push(`${event.id}: ${event.error}`);
      console.log(`monitor: upstream \`${event.id}\` failed: ${event.error}`);
      break;
    case "INPUT_CLOSED":
      console.log(`monitor: input \`${event.id}\` closed`);
      break;
    case "INPUT_RECOVERED":
      console.log(`monitor: input \`${event.id}\` recovered`);
      break;
  }
}
console.log(
  `monitor: received ${readings} readings, upstream restarted ${restarts} times, failures: ${
    failures.length === 0 ? "none" : failures.join("; ")
  }`,
);
