/**
 * Node output lines: log records to files and the embedder, `send_stdout_as`
 * / `send_logs_as` outputs, and `dora/logs` subscribers.
 *
 * @module
 */
import { type LogRecord, parseNodeLine, passesLevel } from "../logs/mod.ts";
import { type RuntimeContext } from "./_context.ts";
import { deliver } from "./delivery/_delivery.ts";
import { hlc, route } from "./delivery/_forwarding.ts";
import { textMessage } from "./spawn/node_config.ts";
import { type RunningNode } from "./running_node.ts";

/** One line of a node's stdout or stderr. */
export function onLine(
  rt: RuntimeContext,
  node: RunningNode,
  stream: "stdout" | "stderr",
  line: string,
): void {
  const spec = node.spec;
  if (stream === "stdout" && spec.sendStdoutAs) {
    sendText(rt, node, spec.sendStdoutAs, line);
  }
  const record = parseNodeLine(line, spec.id, stream);
  if (spec.minLogLevel && !passesLevel(record.level, spec.minLogLevel)) {
    return;
  }
  if (rt.routing.logs.length > 0) broadcastLog(rt, record);
  if (spec.sendLogsAs) {
    sendText(rt, node, spec.sendLogsAs, JSON.stringify(record));
  }
  node.log?.write(record);
  rt.opts.events?.onLog?.(record);
}

/** Sends a text line on a log output of `node` (`send_stdout_as`, `send_logs_as`). */
export function sendText(
  rt: RuntimeContext,
  node: RunningNode,
  output: string,
  text: string,
): void {
  if (!node.openOutputs.has(output)) return;
  const { m, d, payload } = textMessage(text, hlc(rt));
  route(rt, node.spec.id, output, m, d, undefined, payload, true, false);
}

/** Offers a log record to the `dora/logs` subscribers. */
export function broadcastLog(rt: RuntimeContext, record: LogRecord): void {
  let msg: ReturnType<typeof textMessage> | undefined;
  for (const sub of rt.routing.logs) {
    if (sub.node === record.node || (sub.from && sub.from !== record.node)) {
      continue;
    }
    if (sub.level && !passesLevel(record.level, sub.level as never)) continue;
    const rn = rt.nodes.get(sub.node)!;
    if (!rn.alive) continue;
    msg ??= textMessage(JSON.stringify(record), hlc(rt));
    rn.queue.offerInput(sub.input, {
      header: { t: "input", id: sub.input, m: msg.m, d: msg.d },
      payload: msg.payload,
      from: "dora",
    });
    deliver(rt, rn);
  }
}
