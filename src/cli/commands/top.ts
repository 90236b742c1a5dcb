/**
 * `dora top` (alias `dora inspect top`): every node of every running
 * dataflow (the coordinator's and each `dora run`'s) with its status, CPU,
 * memory, restarts, queue, cross-daemon bytes and disk I/O, refreshed every
 * `--refresh-interval` seconds in a terminal UI; `--once` prints one JSON
 * snapshot.
 *
 * @module
 */
import { Command } from "commander";
import type { NodeInfoResult } from "../../control/inspect.ts";
import type { LocalAnnounce } from "../../control/local_endpoint.ts";
import { readAnnounces } from "../../control/local_endpoint.ts";
import type { Peer } from "../../control/peer.ts";
import { type NodeInfo, statusLabel } from "../../inspect/mod.ts";
import { runtimeBase } from "../../runtime/spawn/runtime_dir.ts";
import { useColor, writeLines } from "../_output.ts";
import { UsageError } from "../errors.ts";
import {
  describeDataflow,
  type InspectSession,
  withInspection,
} from "../inspect_target.ts";
import { type TargetFlags, withTargetOptions } from "../target.ts";
import {
  interactive,
  type Key,
  Screen,
  style,
  terminalSize,
} from "../tui/terminal.ts";
import { secondsOption } from "./_inspect_options.ts";
import { cpuText, memoryText, netText, rateMbText } from "./node/_format.ts";

interface TopOptions extends TargetFlags {
  refreshInterval?: string;
  once?: boolean;
}

/**
 * Node infos from every source; remembers links to `dora run`s between
 * calls and notices runs that appear or go away.
 */
class TopFeed {
  #session: InspectSession;
  #runs = new Map<string, { announce: LocalAnnounce; peer?: Peer }>();
  unreachable: string[] = [];

  constructor(session: InspectSession) {
    this.#session = session;
  }

  /** Every node now. Throws when the coordinator link is lost. */
  async fetch(): Promise<NodeInfo[]> {
    const nodes: NodeInfo[] = [];
    this.unreachable = [];
    const coordinator = this.#session.coordinator;
    const asks: Promise<void>[] = [];
    if (coordinator) {
      asks.push((async () => {
        try {
          const r = await coordinator.peer.call<NodeInfoResult>(
            "node_info",
            {},
          );
          nodes.push(...r.nodes);
          this.unreachable.push(...r.unreachable);
        } catch (err) {
          throw this.#session.asCliError(err, coordinator.source);
        }
      })());
    }
    const current = readAnnounces(runtimeBase());
    for (const a of current) {
      if (!this.#runs.has(a.uuid)) this.#runs.set(a.uuid, { announce: a });
    }
    for (const [uuid, run] of this.#runs) {
      if (!current.some((a) => a.uuid === uuid) && !run.peer) {
        this.#runs.delete(uuid);
        continue;
      }
      asks.push((async () => {
        try {
          run.peer ??= await this.#session.connect({
            kind: "run",
            target: { addr: run.announce.addr, port: run.announce.port },
            announce: run.announce,
          });
          const r = await run.peer.call<NodeInfoResult>("node_info", {});
          nodes.push(...r.nodes);
        } catch {
          // the run ended: its nodes are gone from the table
          run.peer?.close(1000, "done");
          this.#runs.delete(uuid);
        }
      })());
    }
    await Promise.all(asks);
    return nodes;
  }
}

type SortKey = "name" | "cpu" | "memory";

function sortNodes(nodes: NodeInfo[], by: SortKey): NodeInfo[] {
  return nodes.toSorted((a, b) => {
    if (by === "cpu") {
      return (b.metrics.cpu_usage ?? -1) - (a.metrics.cpu_usage ?? -1);
    }
    if (by === "memory") {
      return (b.metrics.memory_mb ?? -1) - (a.metrics.memory_mb ?? -1);
    }
    return a.node_id.localeCompare(b.node_id) ||
      (a.dataflow_name ?? a.dataflow_id).localeCompare(
        b.dataflow_name ?? b.dataflow_id,
      );
  });
}

const COLUMNS: [string, number][] = [
  ["NODE", 18],
  ["STATUS", 10],
  ["DATAFLOW", 14],
  ["PID", 7],
  ["CPU%", 6],
  ["MEMORY (MB)", 11],
  ["RESTARTS", 8],
  ["QUEUE", 6],
  ["NET TX", 9],
  ["NET RX", 9],
  ["I/O READ (MB/s)", 15],
  ["I/O WRITE (MB/s)", 16],
];

function cell(text: string, width: number, right: boolean): string {
  const t = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return right ? t.padStart(width) : t.padEnd(width);
}

function row(values: string[]): string {
  return values.map((v, i) => cell(v, COLUMNS[i]![1], i >= 3)).join("  ");
}

function statusStyle(status: string, text: string, color: boolean): string {
  switch (status) {
    case "running":
      return style.color(text, 32, color);
    case "restarting":
    case "degraded":
      return style.color(text, 33, color);
    case "failed":
      return style.color(text, 31, color);
    default:
      return style.dim(text, color);
  }
}

/** The lines of one screen. */
function render(
  nodes: NodeInfo[],
  state: {
    selected: number;
    sort: SortKey;
    refreshS: number;
    notes: string[];
    color: boolean;
  },
): string[] {
  const { columns } = terminalSize();
  const fit = (l: string) => l.length > columns ? l.slice(0, columns) : l;
  const dataflows = new Set(nodes.map((n) => n.dataflow_id)).size;
  const lines = [
    style.bold(
      fit(
        `dora top — ${dataflows} dataflow${
          dataflows === 1 ? "" : "s"
        }, ${nodes.length} node${
          nodes.length === 1 ? "" : "s"
        } — every ${state.refreshS}s — sorted by ${state.sort}`,
      ),
      state.color,
    ),
    style.dim(
      fit(
        "q/Esc quit  ↑/k ↓/j select  n/c/m sort by name/cpu/memory  r refresh",
      ),
      state.color,
    ),
    "",
    style.bold(fit(row(COLUMNS.map(([h]) => h))), state.color),
  ];
  nodes.forEach((n, i) => {
    const m = n.metrics;
    const text = fit(row([
      n.node_id,
      statusLabel(m.status),
      n.dataflow_name ?? n.dataflow_id.slice(0, 8),
      m.pid === null ? "-" : String(m.pid),
      cpuText(m.cpu_usage),
      memoryText(m.memory_mb),
      String(m.restart_count),
      String(m.pending_messages),
      netText(n.network.bytes_sent),
      netText(n.network.bytes_received),
      rateMbText(m.disk_read_mb_s),
      rateMbText(m.disk_write_mb_s),
    ]));
    lines.push(
      i === state.selected
        ? style.reverse(text, state.color)
        : statusStyle(m.status, text, state.color),
    );
  });
  if (nodes.length === 0) lines.push("  (no running node)");
  const sel = nodes[state.selected];
  if (sel) {
    lines.push("");
    lines.push(
      fit(
        `${sel.node_id} (${
          describeDataflow({ uuid: sel.dataflow_id, name: sel.dataflow_name })
        }, daemon ${sel.daemon_id})`,
      ),
    );
    for (const i of sel.inputs) {
      lines.push(
        fit(
          `  in  ${i.id} ← ${i.source}: ${
            i.rate.toFixed(1)
          }/s, queued ${i.queued}, dropped ${i.dropped}`,
        ),
      );
    }
    for (const o of sel.outputs) {
      lines.push(
        fit(
          `  out ${o.id}: ${o.rate.toFixed(1)}/s, sent ${o.sent} → ${
            o.subscribers.join(", ") || "no subscriber"
          }`,
        ),
      );
    }
  }
  if (state.notes.length) {
    lines.push("");
    for (const note of state.notes.slice(-3)) {
      lines.push(style.color(fit(note), 33, state.color));
    }
  }
  return lines;
}

/** Runs the terminal UI until q / Esc / Ctrl-C, or every dataflow ended. */
async function runTui(
  session: InspectSession,
  refreshS: number,
): Promise<void> {
  const feed = new TopFeed(session);
  let nodes = sortNodes(await feed.fetch(), "name");
  if (nodes.length === 0 && session.dataflows.length === 0 && session.empty) {
    throw session.nothingRunning();
  }
  const color = useColor();
  const screen = new Screen();
  const state = {
    selected: 0,
    sort: "name" as SortKey,
    refreshS,
    notes: [] as string[],
    color,
  };
  const seen = new Map<string, string>();
  let endMessage: string | undefined;
  const { promise: done, resolve: finish } = Promise.withResolvers<void>();
  let failure: unknown;
  const note = (nodesNow: NodeInfo[]) => {
    const now = new Set(nodesNow.map((n) => n.dataflow_id));
    for (const [uuid, label] of seen) {
      if (!now.has(uuid)) {
        state.notes.push(`dataflow ${label} ended`);
        seen.delete(uuid);
        if (now.size === 0) endMessage = `dataflow ${label} ended`;
      }
    }
    for (const n of nodesNow) {
      seen.set(
        n.dataflow_id,
        describeDataflow({ uuid: n.dataflow_id, name: n.dataflow_name }),
      );
    }
  };
  note(nodes);
  const draw = () => {
    state.selected = Math.max(0, Math.min(state.selected, nodes.length - 1));
    screen.draw(render(nodes, state));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fetching = false;
  const refresh = async () => {
    clearTimeout(timer);
    if (fetching) return;
    fetching = true;
    try {
      const fresh = await feed.fetch();
      note(fresh);
      const id = nodes[state.selected];
      nodes = sortNodes(fresh, state.sort);
      // Keep the selection on the same node across refreshes.
      if (id) {
        const i = nodes.findIndex((n) =>
          n.node_id === id.node_id && n.dataflow_id === id.dataflow_id
        );
        if (i >= 0) state.selected = i;
      }
      if (endMessage !== undefined && nodes.length === 0) return finish();
      draw();
    } catch (err) {
      failure = err;
      return finish();
    } finally {
      fetching = false;
    }
    timer = setTimeout(refresh, refreshS * 1000);
  };
  draw();
  timer = setTimeout(refresh, refreshS * 1000);
  screen.readKeys((key: Key) => {
    switch (key) {
      case "q":
      case "escape":
      case "ctrl-c":
        return finish();
      case "up":
      case "k":
        state.selected = Math.max(0, state.selected - 1);
        break;
      case "down":
      case "j":
        state.selected = Math.min(nodes.length - 1, state.selected + 1);
        break;
      case "n":
      case "c":
      case "m":
        state.sort = key === "n" ? "name" : key === "c" ? "cpu" : "memory";
        nodes = sortNodes(nodes, state.sort);
        break;
      case "r":
        refresh();
        return;
      default:
        return;
    }
    draw();
  });
  try {
    await done;
  } finally {
    clearTimeout(timer);
    screen.close();
  }
  if (failure) throw failure;
  if (endMessage !== undefined) {
    writeLines([`${endMessage}; no dataflow is running any more`]);
  }
}

function topCommand(name: string): Command {
  return withTargetOptions(
    new Command(name)
      .description(
        "monitor the nodes of running dataflows: status, CPU, memory, restarts, queues, network, disk I/O",
      )
      .option(
        "--refresh-interval <SECONDS>",
        "seconds between updates (at least 1)",
        "2",
      )
      .option("--once", "print one JSON snapshot and exit (for scripts)"),
  ).action(async (opts: TopOptions) => {
    const refreshS = secondsOption(
      "--refresh-interval",
      opts.refreshInterval,
      2,
      1,
    )!;
    if (!opts.once && !interactive()) {
      throw new UsageError(
        "`dora top` needs an interactive terminal; use `dora top --once` for a JSON snapshot",
      );
    }
    await withInspection(opts, async (session) => {
      if (opts.once) {
        if (session.empty) throw session.nothingRunning();
        const feed = new TopFeed(session);
        const nodes = await feed.fetch();
        if (feed.unreachable.length) {
          writeLines(
            [`warning: daemons ${feed.unreachable.join(", ")} did not answer`],
            Deno.stderr,
          );
        }
        writeLines([JSON.stringify(sortNodes(nodes, "name"), null, 2)]);
        return;
      }
      await runTui(session, refreshS);
    });
  });
}

/** Registers `dora top` and `dora inspect top`. */
export function registerTop(program: Command): void {
  program.addCommand(topCommand("top"));
  program.addCommand(
    new Command("inspect")
      .description("inspect running dataflows (`inspect top` = `top`)")
      .addCommand(topCommand("top")),
  );
}
