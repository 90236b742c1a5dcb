/**
 * A coordinator and daemons in a sandbox running one dataflow started with
 * `dora start --detach`, and what its nodes printed (read from their log
 * files), for the end-to-end tests of the change commands.
 *
 * @module
 */
import { fixture } from "../_support/dora.ts";
import { Sandbox } from "../_support/cluster.ts";
import { readOrEmpty, waitUntil } from "../_support/wait.ts";
import { bridgePorts, zenohDaemon } from "../_support/zenoh.ts";

/** A fixture of tests/fixtures/dynamic/. */
export const dyn = (name: string): string => fixture(`dynamic/${name}`);

/** A started cluster dataflow; dispose to stop everything and clean up. */
export async function startCluster(
  yaml: string,
  opts: {
    machines?: string[];
    name?: string;
    example?: string;
    coordinatorArgs?: string[];
    /** Daemons on zenoh, each with its own bridge, linked to the first. */
    zenoh?: boolean;
  } = {},
) {
  const sb = await Sandbox.create();
  const name = opts.name ?? "demo";
  try {
    await sb.coordinator(opts.coordinatorArgs);
    const first = opts.zenoh ? bridgePorts() : undefined;
    for (const [i, m] of (opts.machines ?? [undefined]).entries()) {
      if (first) {
        await zenohDaemon(
          sb,
          m ?? "A",
          i === 0 ? first : bridgePorts(),
          i === 0 ? [] : [first.zenoh],
        );
      } else await sb.daemon(m ? ["--machine-id", m] : []);
    }
    if (opts.example) {
      for (const e of Deno.readDirSync(opts.example)) {
        if (e.isFile) {
          Deno.copyFileSync(`${opts.example}/${e.name}`, `${sb.dir}/${e.name}`);
        }
      }
    }
    const path = opts.example
      ? `${sb.dir}/dataflow.yml`
      : sb.write("dataflow.yml", yaml);
    const started = await sb.dora(["start", path, "--name", name, "--detach"]);
    if (started.code !== 0) {
      throw new Error(`dora start failed:\n${started.stderr}${started.stdout}`);
    }
    const uuid = started.stdout.trim().split("\n").at(-1)!.trim();
    const rt = `${sb.dir}/rt`;
    Deno.mkdirSync(rt, { mode: 0o700 });
    const lines = (node: string): string[] =>
      readOrEmpty(`${sb.dir}/out/${uuid}/log_${node}.jsonl`).split("\n")
        .filter((l) => l.trim()).flatMap((l) => {
          try {
            return [String(JSON.parse(l).msg)];
          } catch {
            return []; // a line being written
          }
        });
    return {
      sb,
      uuid,
      name,
      /**
       * `dora <args>` in the sandbox; a private runtime folder, so that no
       * `dora run` of another test is found next to the coordinator.
       */
      dora: (args: string[]) => sb.dora(args, { XDG_RUNTIME_DIR: rt }),
      /** What `node` printed so far (log lines). */
      says: lines,
      /** The `EVENT {json}` lines of `node`, parsed. */
      events(node: string): Record<string, unknown>[] {
        return lines(node).filter((l) => l.startsWith("EVENT "))
          .map((l) => JSON.parse(l.slice(6)));
      },
      /** Resolves once `node` printed `count` lines matching `re`. */
      saw(node: string, re: RegExp, count = 1): Promise<string[]> {
        return waitUntil(
          () => {
            const hits = lines(node).filter((l) => re.test(l));
            return hits.length >= count && hits;
          },
          `${count} line(s) of node "${node}" matching ${re}`,
          { detail: () => lines(node).slice(-20).join("\n") },
        );
      },
      async [Symbol.asyncDispose]() {
        await sb.dora(["stop", name, "--force"], { XDG_RUNTIME_DIR: rt })
          .catch(() => {});
        await sb.cleanup();
      },
    };
  } catch (err) {
    await sb.cleanup();
    throw err;
  }
}
