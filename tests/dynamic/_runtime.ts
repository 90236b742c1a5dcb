/**
 * An in-process `DataflowRuntime` (what `dora run` is) over a temporary
 * dataflow, collecting each node's stdout lines and waiting for them.
 *
 * @module
 */
import { fixture, tempDataflow } from "../_support/dora.ts";
import { loadDataflow } from "../../src/descriptor/mod.ts";
import { DataflowRuntime } from "../../src/runtime/mod.ts";

/** A fixture of tests/fixtures/dynamic/. */
export const dyn = (name: string): string => fixture(`dynamic/${name}`);

/** A started runtime over `yaml`; dispose to end it (forced) and clean up. */
export async function startRuntime(yaml: string, graceMs = 2000) {
  const df = await tempDataflow(yaml);
  const { dataflow } = await loadDataflow(df.path);
  const lines = new Map<string, string[]>();
  const waiters: { node: string; re: RegExp; resolve: () => void }[] = [];
  const messages: string[] = [];
  const runtime = new DataflowRuntime({
    dataflow,
    graceMs,
    events: {
      onLog(r) {
        if (r.stream !== "stdout") return;
        const l = lines.get(r.node) ?? [];
        l.push(r.msg);
        lines.set(r.node, l);
        for (const w of [...waiters]) {
          if (w.node === r.node && w.re.test(r.msg)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      },
      onMessage: (level, text) => messages.push(`${level}: ${text}`),
    },
  });
  await runtime.start();
  return {
    runtime,
    messages,
    /** The stdout lines of `node` so far. */
    says: (node: string) => lines.get(node) ?? [],
    /** The `EVENT {json}` lines of `node`, parsed. */
    events(node: string): Record<string, unknown>[] {
      return (lines.get(node) ?? []).filter((l) => l.startsWith("EVENT "))
        .map((l) => JSON.parse(l.slice(6)));
    },
    /** Resolves once `node` printed `count` lines matching `re`. */
    saw(node: string, re: RegExp, count = 1): Promise<void> {
      const seen = () => (lines.get(node) ?? []).filter((l) => re.test(l));
      if (seen().length >= count) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () => {
          if (seen().length >= count) resolve();
          else waiters.push({ node, re, resolve: check });
        };
        waiters.push({ node, re, resolve: check });
      });
    },
    async [Symbol.asyncDispose]() {
      runtime.stop({ force: true });
      await runtime.finished;
      await df[Symbol.asyncDispose]();
    },
  };
}
