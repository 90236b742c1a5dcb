/**
 * Spans of dora's own work (start a dataflow, spawn a node, build, stop,
 * restart), kept in memory in a ring of the last 4096 finished spans per
 * process, as the original coordinator does. A span belongs to a trace
 * (32 hex digits); spans of one trace may come from several processes (the
 * coordinator hands its span context to daemons), and are put together by
 * {@linkcode summarizeTraces}.
 *
 * @module
 */

/** How many finished spans a {@linkcode Tracer} keeps. */
export const MAX_SPANS = 4096;

/** Span severity, as in `tracing` levels. */
export type SpanLevel = "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";

/** A finished span (JSON, the wire form of `trace` requests). */
export interface TraceSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  /** The process kind that recorded it: `dora_coordinator`, `dora_daemon`, `dora_run`. */
  target: string;
  level: SpanLevel;
  /** Start, ms since the Unix epoch. */
  start_time: number;
  duration_us: number;
  fields: Record<string, string>;
}

/** Where a span sits: enough to make children elsewhere. */
export interface SpanContext {
  traceId: string;
  spanId: string;
}

/** One trace as `trace list` shows it. */
export interface TraceSummary {
  trace_id: string;
  root_span_name: string;
  span_count: number;
  /** ms since the Unix epoch. */
  start_time: number;
  total_duration_us: number;
}

function hex(bytes: number): string {
  return crypto.getRandomValues(new Uint8Array(bytes)).toHex();
}

function fieldText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
}

/** A span being recorded; {@linkcode Span.end} puts it into its tracer's ring. */
export class Span implements SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly startTime = Date.now();
  #start = performance.now();
  #fields: Record<string, string> = {};
  #level: SpanLevel;
  #tracer: Tracer;
  #ended = false;

  constructor(
    tracer: Tracer,
    name: string,
    parent: SpanContext | undefined,
    level: SpanLevel,
    fields: Record<string, unknown>,
  ) {
    this.#tracer = tracer;
    this.name = name;
    this.traceId = parent?.traceId ?? hex(16);
    this.spanId = hex(8);
    this.parentSpanId = parent?.spanId ?? null;
    this.#level = level;
    this.set(fields);
  }

  /** Whether {@linkcode end} was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds or replaces fields (values shown as text; undefined ones skipped). */
  set(fields: Record<string, unknown>): this {
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined) this.#fields[k] = fieldText(v);
    }
    return this;
  }

  /** A child span of this one. */
  child(
    name: string,
    fields: Record<string, unknown> = {},
    level: SpanLevel = "INFO",
  ): Span {
    return this.#tracer.span(name, { parent: this, fields, level });
  }

  /** Ends the span (once; later calls change nothing). `error` marks it failed. */
  end(fields: Record<string, unknown> = {}, error?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.set(fields);
    if (error !== undefined) {
      this.#fields.error = error;
      this.#level = "ERROR";
    }
    this.#tracer.record({
      trace_id: this.traceId,
      span_id: this.spanId,
      parent_span_id: this.parentSpanId,
      name: this.name,
      target: this.#tracer.target,
      level: this.#level,
      start_time: this.startTime,
      duration_us: Math.max(
        0,
        Math.round((performance.now() - this.#start) * 1000),
      ),
      fields: { ...this.#fields },
    });
  }

  /** The span's context, for children in another process. */
  context(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId };
  }
}

/**
 * Records spans of one process into a ring of {@linkcode MAX_SPANS}.
 *
 * @example
 * ```ts
 * const tracer = new Tracer("dora_coordinator");
 * const root = tracer.span("start_dataflow", { fields: { name: "robot" } });
 * const spawn = root.child("spawn_node", { node_id: "camera" });
 * spawn.end();
 * root.end();
 * summarizeTraces(tracer.spans()); // [{ root_span_name: "start_dataflow", span_count: 2, … }]
 * ```
 */
export class Tracer {
  readonly target: string;
  readonly capacity: number;
  #ring: TraceSpan[] = [];
  #next = 0;

  constructor(target: string, capacity = MAX_SPANS) {
    this.target = target;
    this.capacity = capacity;
  }

  /** Starts a span (a new trace without `parent`). */
  span(
    name: string,
    opts: {
      parent?: SpanContext;
      fields?: Record<string, unknown>;
      level?: SpanLevel;
    } = {},
  ): Span {
    return new Span(
      this,
      name,
      opts.parent,
      opts.level ?? "INFO",
      opts.fields ?? {},
    );
  }

  /** Stores a finished span, overwriting the oldest once full. */
  record(span: TraceSpan): void {
    if (this.#ring.length < this.capacity) this.#ring.push(span);
    else this.#ring[this.#next] = span;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** The finished spans, oldest first. */
  spans(): TraceSpan[] {
    if (this.#ring.length < this.capacity) return [...this.#ring];
    return [
      ...this.#ring.slice(this.#next),
      ...this.#ring.slice(0, this.#next),
    ];
  }
}

/**
 * Groups spans (from any number of processes) into traces, newest first. The
 * root is the span without a parent, else the earliest span whose parent is
 * not among them (evicted from a ring, or still running).
 */
export function summarizeTraces(spans: Iterable<TraceSpan>): TraceSummary[] {
  const byTrace = new Map<string, TraceSpan[]>();
  for (const s of spans) {
    const list = byTrace.get(s.trace_id);
    if (list) list.push(s);
    else byTrace.set(s.trace_id, [s]);
  }
  const out: TraceSummary[] = [];
  for (const [id, list] of byTrace) {
    const root = traceRoot(list);
    const start = Math.min(...list.map((s) => s.start_time));
    const end = Math.max(
      ...list.map((s) => s.start_time * 1000 + s.duration_us),
    );
    out.push({
      trace_id: id,
      root_span_name: root.name,
      span_count: list.length,
      start_time: start,
      total_duration_us: Math.max(
        root.duration_us,
        Math.round(end - start * 1000),
      ),
    });
  }
  return out.sort((a, b) => b.start_time - a.start_time);
}

function traceRoot(spans: TraceSpan[]): TraceSpan {
  const ids = new Set(spans.map((s) => s.span_id));
  const roots = spans.filter((s) =>
    s.parent_span_id === null || !ids.has(s.parent_span_id)
  );
  const sorted = (roots.length ? roots : spans).toSorted((a, b) =>
    (a.parent_span_id === null ? 0 : 1) - (b.parent_span_id === null ? 0 : 1) ||
    a.start_time - b.start_time
  );
  return sorted[0]!;
}

/** A trace id prefix that matches no trace, or several. */
export class TracePrefixError extends Error {
  constructor(
    readonly kind: "unknown" | "ambiguous",
    readonly prefix: string,
    readonly matches: string[],
  ) {
    super(
      kind === "unknown"
        ? `no trace matches "${prefix}" (see \`dora trace list\`)`
        : `"${prefix}" matches ${matches.length} traces (${
          matches.slice(0, 5).map((m) => m.slice(0, 12)).join(", ")
        }${matches.length > 5 ? ", …" : ""}): give a longer prefix`,
    );
    this.name = "TracePrefixError";
  }
}

/** The one trace id starting with `prefix` (case-insensitive). */
export function resolveTraceId(prefix: string, ids: Iterable<string>): string {
  const p = prefix.toLowerCase();
  const all = [...new Set(ids)];
  if (all.includes(p)) return p;
  const matches = all.filter((id) => id.startsWith(p));
  if (matches.length === 1) return matches[0]!;
  throw new TracePrefixError(
    matches.length === 0 ? "unknown" : "ambiguous",
    prefix,
    matches,
  );
}

/** `1.234s`, `12.3ms`, `45µs`: a duration in microseconds for people. */
export function formatDurationUs(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(3)}s`;
  if (us >= 1000) return `${(us / 1000).toFixed(1)}ms`;
  return `${Math.round(us)}µs`;
}

/**
 * The spans of one trace as an indented tree, children by start time:
 * `spawn_node [INFO 12.3ms] {node_id="camera"}`.
 */
export function formatTraceTree(spans: TraceSpan[]): string[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string | null, TraceSpan[]>();
  for (const s of spans) {
    const parent = s.parent_span_id !== null && ids.has(s.parent_span_id)
      ? s.parent_span_id
      : null;
    const list = children.get(parent);
    if (list) list.push(s);
    else children.set(parent, [s]);
  }
  for (const list of children.values()) {
    list.sort((a, b) => a.start_time - b.start_time);
  }
  const lines: string[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      const fields = Object.entries(s.fields);
      lines.push(
        `${"  ".repeat(depth)}${s.name} [${s.level} ${
          formatDurationUs(s.duration_us)
        }]${
          fields.length
            ? ` {${
              fields.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")
            }}`
            : ""
        }`,
      );
      walk(s.span_id, depth + 1);
    }
  };
  walk(null, 0);
  return lines;
}
