/**
 * Console output of operators, attributed to the operator that printed it:
 * each operator runs inside its own async context, and the console methods
 * report the line with that operator's id (`console.log` as a printed line,
 * `info`/`debug`/`warn`/`error` as log records of that level). Output from
 * outside any operator goes to the console unchanged.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Levels of captured lines; `stdout` is a printed line. */
export type CapturedLevel = "stdout" | "error" | "warn" | "info" | "debug";

/** Receives one captured line. */
export type LineSink = (
  operator: string,
  level: CapturedLevel,
  message: string,
) => void;

const METHODS: [keyof Console, CapturedLevel][] = [
  ["log", "stdout"],
  ["info", "info"],
  ["debug", "debug"],
  ["warn", "warn"],
  ["error", "error"],
];

/** Routes console output of operators to a sink. */
export class LogCapture {
  #als = new AsyncLocalStorage<string>();
  /** The console methods as they were, for the runtime's own output. */
  readonly original: Pick<Console, "log" | "error">;

  constructor(sink: LineSink) {
    const c = globalThis.console as unknown as Record<
      string,
      (...a: unknown[]) => void
    >;
    this.original = { log: c.log.bind(console), error: c.error.bind(console) };
    for (const [name, level] of METHODS) {
      const before = c[name as string].bind(console);
      c[name as string] = (...args: unknown[]) => {
        const op = this.#als.getStore();
        if (op === undefined) return before(...args);
        const text = args.map((a) =>
          typeof a === "string" ? a : Deno.inspect(a, { colors: false })
        ).join(" ");
        for (const line of text.split("\n")) sink(op, level, line);
      };
    }
  }

  /** Runs `fn` as operator `operator` (its console lines are attributed to it). */
  run<T>(operator: string, fn: () => T): T {
    return this.#als.run(operator, fn);
  }
}
