/**
 * Checks that imports point down the layers of `docs/architecture.md`: every
 * folder of `src/` has a height, a file may import only folders at its own
 * height or below, folders never import each other in a cycle, a `_private`
 * file is imported only from inside its own top-level folder, and only
 * `src/cli` imports commander. Node APIs (`nodes/api/ts`) may use the wire
 * format and shared memory only; the operator runtime (`nodes/runtime/ts`)
 * is a node program on top of them.
 *
 * The import graph comes from `deno info --json` over every source file.
 *
 * Usage: `deno run -A scripts/check_layers.ts` (exit 1 and one line per
 * problem when the shape is broken).
 *
 * @module
 */

/** The height of each room; a file may import rooms at its height or lower. */
export const LAYERS: Record<string, number> = {
  "src": 0, // files at the root of src/: version, errors, state dir, install root
  "src/message": 1,
  "src/shm": 1,
  "src/logs": 2,
  "src/descriptor": 2,
  "src/fault": 3,
  "src/zenoh": 2.5, // zenoh-ts sessions, key layout, the local bridge
  "src/inspect": 3.5, // taps, metrics, traces: below the runtime that feeds them
  "src/transport": 3,
  "src/store": 3,
  "src/build": 3,
  "src/self_update": 3,
  "src/operators": 3.5,
  "src/runtime": 4,
  "src/control": 4,
  "src/doctor": 5,
  "src/templates": 5,
  "src/record": 5, // MCAP, recorder, replay and check (uses descriptor, message)
  "src/cluster": 5,
  "src/views": 5, // dashboard, Foxglove and MCP servers over the inspection API
  "src/daemon": 6,
  "src/coordinator": 6,
  "src/cli": 7,
  "main.ts": 8,
  "nodes/api/ts": 1.5,
  "nodes/runtime/ts": 1.75,
};

/** One import from a source file of the project to another. */
export interface ImportEdge {
  from: string;
  to: string;
}

/** The room a repository-relative path belongs to, or undefined if none. */
export function roomOf(path: string): string | undefined {
  if (path === "main.ts") return "main.ts";
  if (path.startsWith("nodes/api/ts/")) return "nodes/api/ts";
  if (path.startsWith("nodes/runtime/ts/")) return "nodes/runtime/ts";
  const m = /^src\/([^/]+)\//.exec(path);
  if (m) return `src/${m[1]}`;
  if (/^src\/[^/]+$/.test(path)) return "src";
  return undefined;
}

function isPrivate(path: string): boolean {
  return path.split("/").some((part) => part.startsWith("_"));
}

/**
 * The problems in a set of import edges: upward imports, unknown rooms,
 * private files reached from another room, commander outside the CLI, and
 * cycles between rooms.
 *
 * @example
 * ```ts
 * checkEdges([{ from: "src/message/a.ts", to: "src/cli/b.ts" }]);
 * // ["src/message/a.ts imports src/cli/b.ts: src/message (height 1) must not import src/cli (height 7)"]
 * ```
 */
export function checkEdges(
  edges: ImportEdge[],
  layers: Record<string, number> = LAYERS,
): string[] {
  const problems: string[] = [];
  const roomEdges = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (to.startsWith("npm:")) {
      if (/commander/.test(to) && roomOf(from) !== "src/cli") {
        problems.push(`${from} imports ${to}: only src/cli imports commander`);
      }
      continue;
    }
    const a = roomOf(from);
    const b = roomOf(to);
    if (a === undefined || b === undefined || a === b) continue;
    for (const room of [a, b]) {
      if (!(room in layers)) {
        problems.push(
          `${room} has no height: add it to LAYERS in scripts/check_layers.ts and docs/architecture.md`,
        );
      }
    }
    if (!(a in layers) || !(b in layers)) continue;
    if (layers[b] > layers[a]) {
      problems.push(
        `${from} imports ${to}: ${a} (height ${
          layers[a]
        }) must not import ${b} (height ${layers[b]})`,
      );
    }
    if (isPrivate(to.slice(b.length))) {
      problems.push(`${from} imports ${to}: a _private file of ${b}`);
    }
    if (!roomEdges.has(a)) roomEdges.set(a, new Set());
    roomEdges.get(a)!.add(b);
  }
  for (const cycle of roomCycles(roomEdges)) {
    problems.push(`rooms import each other: ${cycle.join(" -> ")}`);
  }
  return [...new Set(problems)];
}

/** Each cycle between rooms, found by depth-first search, once. */
function roomCycles(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (room: string) => {
    seen.add(room);
    stack.push(room);
    for (const next of graph.get(room) ?? []) {
      if (stack.includes(next)) {
        cycles.push([...stack.slice(stack.indexOf(next)), next]);
      } else if (!seen.has(next)) visit(next);
    }
    stack.pop();
    done.add(room);
  };
  for (const room of graph.keys()) if (!seen.has(room)) visit(room);
  return cycles;
}

interface DenoInfo {
  modules: {
    specifier: string;
    dependencies?: {
      code?: { specifier?: string };
      type?: { specifier?: string };
    }[];
  }[];
}

/** The import edges of every source file under `roots`, via `deno info`. */
export async function projectEdges(
  root: string,
  roots = ["main.ts", "src", "nodes/api/ts", "nodes/runtime/ts"],
): Promise<ImportEdge[]> {
  const files: string[] = [];
  for (const r of roots) await collect(`${root}/${r}`, files);
  // One synthetic entry that imports every file: one `deno info` call.
  const entry = await Deno.makeTempFile({ dir: root, suffix: "_layers.ts" });
  try {
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import "${f}";`).join("\n") + "\n",
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `deno info failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as DenoInfo;
    const base = new URL(`file://${root}/`).href;
    const rel = (s: string) => s.startsWith(base) ? s.slice(base.length) : s;
    const entryRel = rel(new URL(`file://${entry}`).href);
    const edges: ImportEdge[] = [];
    for (const m of info.modules) {
      const from = rel(m.specifier);
      if (from === entryRel || !m.specifier.startsWith(base)) continue;
      for (const d of m.dependencies ?? []) {
        for (const s of [d.code?.specifier, d.type?.specifier]) {
          if (s) edges.push({ from, to: rel(s) });
        }
      }
    }
    return edges;
  } finally {
    await Deno.remove(entry);
  }
}

async function collect(path: string, out: string[]): Promise<void> {
  const stat = await Deno.stat(path);
  if (stat.isFile) {
    if (path.endsWith(".ts") && !path.endsWith("_test.ts")) out.push(path);
    return;
  }
  for await (const e of Deno.readDir(path)) {
    await collect(`${path}/${e.name}`, out);
  }
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const problems = checkEdges(await projectEdges(root));
  for (const p of problems) console.error(`layers: ${p}`);
  if (problems.length > 0) {
    console.error(
      `layers: ${problems.length} problem(s); the layers are in docs/architecture.md`,
    );
    Deno.exit(1);
  }
  console.log("layers: every import points down");
}
