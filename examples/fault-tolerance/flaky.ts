/**
 * A sensor that crashes after every 3 readings. Its third restart is its last
 * life: it sends 3 readings and exits cleanly, which ends the dataflow.
 */
import { Node } from "dora";

const CRASH_EVERY = 3;
const LAST_LIFE = 3;

const node = await Node.init();
const life = node.restartCount;
console.log(`flaky: starting (restart ${life})`);

let sent = 0;
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "tick") {
    await node.sendOutput("reading", life * 100 + sent);
    sent++;
    if (sent === CRASH_EVERY) {
      if (life >= LAST_LIFE) {
        console.log("flaky: done, exiting cleanly");
        break;
      }
      console.error(`flaky: crashing after ${sent} readings`);
      Deno.exit(1);
    }
  } else if (event.type === "STOP") {
    break;
  }
}
