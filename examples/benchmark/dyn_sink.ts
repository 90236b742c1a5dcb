/** One of the nine receivers of the dynamic-change benchmark: reads and drops. */
import { Node } from "dora";

const node = await Node.init();
for await (const _event of node) { /* drop */ }
