/**
 * The build stage before a dataflow runs (`dora run`, `dora build`, daemons):
 * for each node in order, its `git:` source is cloned/updated, its `build:`
 * (and its operators' `build:`) run, and its URL source fetched; the result is
 * the dataflow with every node pointing at what to run (the clone for git
 * nodes, the cached file for URL nodes). The first failure stops the stage.
 *
 * @module
 */
import type { Dataflow, NodeSpec } from "../descriptor/mod.ts";
import { BuildError } from "./build_error.ts";
import { runBuildCommand } from "./build_command.ts";
import { checkoutGitSource, describeRef, gitCloneDir } from "./git_source.ts";
import { fetchUrlSource } from "./url_source.ts";

/** Options of {@link buildDataflow}. */
export interface BuildDataflowOptions {
  /** Clone git sources and run `build:` (false: `--no-build`, only resolve). */
  build: boolean;
  /** Only these nodes (a daemon builds its own); default every node. */
  nodes?: string[];
  /** The uv executable when building with `--uv`. */
  uv?: string;
  /** Cache folder for URL sources (default: dora's cache). */
  cacheDir?: string;
  /** One line of a node's build output (commands start with `$ `). */
  onLine: (node: string, line: string) => void;
}

/** Whether `path` is a URL source. */
export function isUrlSource(path: string): boolean {
  return /^https?:\/\//.test(path);
}

/** Whether `node` has anything for the build stage to do. */
export function needsBuild(node: NodeSpec): boolean {
  return Boolean(
    node.git || node.build || isUrlSource(node.path) ||
      node.operators?.some((op) => op.build),
  );
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the build stage of `dataflow` and returns it with the nodes' paths and
 * working folders resolved.
 *
 * @throws {BuildError} for the first node that fails, naming it and the step.
 */
export async function buildDataflow(
  dataflow: Dataflow,
  opts: BuildDataflowOptions,
): Promise<Dataflow> {
  const nodes: NodeSpec[] = [];
  for (const node of dataflow.nodes) {
    const wanted = !opts.nodes || opts.nodes.includes(node.id);
    nodes.push(wanted ? await buildNode(dataflow, node, opts) : node);
  }
  return { ...dataflow, nodes };
}

async function buildNode(
  dataflow: Dataflow,
  node: NodeSpec,
  opts: BuildDataflowOptions,
): Promise<NodeSpec> {
  const onLine = (line: string) => opts.onLine(node.id, line);
  let cwd = node.deploy?.workingDir ?? dataflow.workingDir;
  const out: NodeSpec = { ...node };
  if (node.git) {
    cwd = gitCloneDir(dataflow, node);
    if (opts.build) {
      await checkoutGitSource(node.id, node.git, cwd, onLine);
    } else if (!exists(cwd)) {
      throw new BuildError(
        node.id,
        "git",
        `its git source ${node.git.url} (${
          describeRef(node.git)
        }) is not cloned yet (${cwd})`,
        { hint: "run without --no-build, or `dora build` first" },
      );
    }
    out.workingDir = cwd;
    if (!node.path.startsWith("/") && !isUrlSource(node.path)) {
      out.path = `${cwd}/${node.path}`;
    }
  }
  if (opts.build) {
    const builds = [
      node.build,
      ...(node.operators ?? []).map((op) => op.build),
    ].filter((b): b is string => Boolean(b));
    for (const build of builds) {
      await runBuildCommand(build, {
        node: node.id,
        cwd,
        env: node.env,
        uv: opts.uv,
        onLine,
      });
    }
  }
  if (isUrlSource(node.path)) {
    const source = await fetchUrlSource(node.path, {
      node: node.id,
      sha256: node.pathSha256,
      cacheDir: opts.cacheDir,
      onLine,
    });
    out.path = source.path;
  }
  return out;
}
