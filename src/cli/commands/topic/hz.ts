/**
 * `dora topic hz [TOPIC…]`: publish rates over a sliding window: average,
 * minimum, maximum and standard deviation of the period, and the rate. On a
 * terminal a TUI with a rate sparkline and a histogram of periods for the
 * selected topic; otherwise (or `--once`) one table after one window.
 *
 * @module
 */
import { Command } from "commander";
import {
  type RateStats,
  RateWindow,
  sparkline,
  type TapBatch,
  timingEntries,
} from "../../../inspect/mod.ts";
import { renderTable, useColor, writeLines } from "../../_output.ts";
import {
  describeDataflow,
  type InspectFlags,
  withDataflow,
} from "../../inspect_target.ts";
import {
  interactive,
  type Key,
  Screen,
  style,
  terminalSize,
} from "../../tui/terminal.ts";
import {
  formatOption,
  secondsOption,
  withDataflowOptions,
} from "../_inspect_options.ts";
import { endedLine, lostError, openTap, type TapEnd } from "./_tap.ts";

interface HzOptions extends InspectFlags {
  window?: string;
  duration?: string;
  once?: boolean;
  format?: string;
}

/** Timing copies a topic may be behind by before the oldest are dropped. */
const HZ_QUEUE = 8192;

/** One row of the statistics (JSON shape). */
export interface HzRow {
  topic: string;
  avg_ms: number;
  hz: number;
  min_ms: number;
  max_ms: number;
  std_ms: number;
  count: number;
  lost: number;
}

function row(topic: string, s: RateStats): HzRow {
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    topic,
    avg_ms: r(s.avgMs),
    hz: r(s.hz),
    min_ms: r(s.minMs),
    max_ms: r(s.maxMs),
    std_ms: r(s.stdMs),
    count: s.count,
    lost: s.lost,
  };
}

const HEAD = [
  "TOPIC",
  "AVG (ms)",
  "AVG (Hz)",
  "MIN (ms)",
  "MAX (ms)",
  "STD (ms)",
  "MSGS",
  "LOST",
];

function cells(r: HzRow): string[] {
  const f = (v: number) => r.count > 1 ? v.toFixed(2) : "-";
  return [
    r.topic,
    f(r.avg_ms),
    f(r.hz),
    f(r.min_ms),
    f(r.max_ms),
    f(r.std_ms),
    String(r.count),
    String(r.lost),
  ];
}

/** The TUI's screen. */
function render(
  title: string,
  rows: HzRow[],
  windows: Map<string, RateWindow>,
  selected: number,
  now: number,
  color: boolean,
  startedAt: number,
): string[] {
  const { columns, rows: height } = terminalSize();
  const fit = (l: string) => l.length > columns ? l.slice(0, columns) : l;
  const table = renderTable(HEAD, rows.map(cells)).split("\n");
  const lines = [
    style.bold(fit(title), color),
    style.dim(fit("q/Esc quit  ↑/k ↓/j select"), color),
    "",
    style.bold(fit(table[0]!), color),
    ...table.slice(1).map((l, i) =>
      i === selected ? style.reverse(fit(l), color) : fit(l)
    ),
  ];
  const sel = rows[selected];
  if (sel) {
    const w = windows.get(sel.topic)!;
    // Seconds since the subscription began, up to what fits.
    const seconds = Math.max(
      1,
      Math.min(Math.floor((now - startedAt) / 1000), 120, columns - 12),
    );
    const history = w.rateHistory(now, seconds);
    lines.push("");
    lines.push(
      fit(
        `${sel.topic}: messages per second, last ${seconds}s (max ${
          Math.max(...history)
        })`,
      ),
    );
    lines.push(fit(`  ${sparkline(history)}`));
    const bins = Math.max(3, Math.min(12, height - lines.length - 4));
    const h = w.histogram(now, bins);
    lines.push("");
    lines.push(fit(`period histogram over the window (ms)`));
    const most = Math.max(1, ...h.counts);
    const barWidth = Math.max(10, columns - 32);
    const width = h.edgesMs.length > 1 ? h.edgesMs[1]! - h.edgesMs[0]! : 0;
    h.counts.forEach((count, i) => {
      const lo = h.edgesMs[i]!;
      lines.push(
        fit(
          `  ${lo.toFixed(2).padStart(9)} – ${
            (lo + width).toFixed(2).padEnd(9)
          } ${"█".repeat(Math.round((count / most) * barWidth))} ${count}`,
        ),
      );
    });
    if (h.counts.length === 0) lines.push("  (fewer than two messages yet)");
  }
  return lines;
}

/** The `topic hz` subcommand. */
export function topicHzCommand() {
  return withDataflowOptions(
    new Command("hz")
      .description(
        "measure the publish rate of topics (period avg/min/max/std, Hz; a TUI on a terminal)",
      )
      .argument("[TOPIC...]", "topics as node/output (default: every output)")
      .option("--window <SECONDS>", "sliding window (at least 1)", "10")
      .option("--duration <SECONDS>", "stop after this many seconds")
      .option("--once", "print one table after one window and exit (no TUI)")
      .option(
        "-f, --format <FORMAT>",
        "table | json, without the TUI",
        "table",
      ),
  ).action(async (names: string[], opts: HzOptions) => {
    const windowS = secondsOption("--window", opts.window, 10, 1)!;
    const duration = secondsOption("--duration", opts.duration, undefined, 1);
    const format = formatOption(opts.format);
    const tui = !opts.once && format === "table" && interactive();
    await withDataflow(opts, async (peer, dataflow) => {
      const windows = new Map<string, RateWindow>();
      const started = performance.now();
      const onBatch = (batch: TapBatch) => {
        const now = performance.now();
        const lostNow = { ...batch.lost };
        for (const [topic, run] of Object.entries(batch.timing ?? {})) {
          const w = windows.get(topic);
          if (!w) continue;
          for (const { ts, size } of timingEntries(run)) {
            const lost = lostNow[topic] ?? 0;
            lostNow[topic] = 0;
            w.add(ts, now, size, lost);
          }
        }
      };
      const stream = await openTap(peer, dataflow, {
        topics: names,
        mode: "timing",
        queueSize: HZ_QUEUE,
      }, onBatch);
      for (const t of stream.result.topics) {
        windows.set(t, new RateWindow(windowS * 1000));
      }
      const rows = () => {
        const now = performance.now();
        return [...windows].map(([t, w]) => row(t, w.stats(now)));
      };
      const collectFor = (duration ?? windowS) * 1000;
      let end: TapEnd;
      if (!tui) {
        const timer = setTimeout(() => stream.stop(), collectFor);
        end = await stream.ended;
        clearTimeout(timer);
        if (end.kind === "lost") throw lostError(dataflow);
        const r = rows();
        if (format === "json") writeLines([JSON.stringify(r, null, 2)]);
        else writeLines([renderTable(HEAD, r.map(cells))]);
        const seconds = (performance.now() - started) / 1000;
        if (end.kind === "ended") {
          writeLines(
            [`${endedLine(dataflow, end)} after ${seconds.toFixed(1)}s`],
            Deno.stderr,
          );
        }
        return;
      }
      end = await runTui(
        `dora topic hz — ${describeDataflow(dataflow)} — window ${windowS}s`,
        windows,
        rows,
        stream,
        duration,
      );
      if (end.kind === "lost") throw lostError(dataflow);
      if (end.kind === "ended") {
        writeLines([endedLine(dataflow, end)], Deno.stderr);
      }
    });
  });
}

async function runTui(
  title: string,
  windows: Map<string, RateWindow>,
  rows: () => HzRow[],
  stream: { ended: Promise<TapEnd>; stop(): void },
  duration: number | undefined,
): Promise<TapEnd> {
  const color = useColor();
  const screen = new Screen();
  const startedAt = performance.now();
  let selected = 0;
  const draw = () => {
    const r = rows();
    selected = Math.max(0, Math.min(selected, r.length - 1));
    screen.draw(
      render(title, r, windows, selected, performance.now(), color, startedAt),
    );
  };
  draw();
  const ticker = setInterval(draw, 500);
  const timer = duration !== undefined
    ? setTimeout(() => stream.stop(), duration * 1000)
    : undefined;
  screen.readKeys((key: Key) => {
    switch (key) {
      case "q":
      case "escape":
      case "ctrl-c":
        stream.stop();
        return;
      case "up":
      case "k":
        selected = Math.max(0, selected - 1);
        break;
      case "down":
      case "j":
        selected++;
        break;
      default:
        return;
    }
    draw();
  });
  try {
    return await stream.ended;
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    screen.close();
  }
}
