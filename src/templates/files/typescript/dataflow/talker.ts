/** Sends COUNT greetings on `greeting`, one per timer tick, then exits. */
import { Node } from "dora";

const count = Number(Deno.env.get("COUNT") ?? "5");
const node = await Node.init();
let sent = 0;
for await (const event of node) {
  if (event.type === "INPUT" && event.id === "tick") {
    sent++;
    await node.sendOutput("greeting", `hello ${sent}`, { seq: sent });
    if (sent === count) break;
  }
}
node.log("info", `talker sent ${sent} greetings`);
await node.close();
