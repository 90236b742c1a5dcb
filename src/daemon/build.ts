/**
 * `dora build` steps of nodes: clone/update `git:` sources at their
 * branch/tag/rev, then run `build:` with `sh -ec` (each line in turn, stopping at the first failure) in the node's working folder
 * (the clone for git nodes). Used by daemons and by `dora build --local`.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { Dataflow, NodeSpec } from "../descriptor/mod.ts";
import type { NodeResult } from "../store/types.ts";

/** Receives one output line of a build step. */
export type BuildLine = (node: string, line: string) => void;

/** Where a git node is cloned: `<dataflow dir>/.dora/git/<node id>`. */
export function gitDir(dataflow: Dataflow, node: NodeSpec): string {
  return `${dataflow.workingDir}/.dora/git/${node.id}`;
}

/** Builds `nodes` (every node with build/git steps when undefined), in order. */
export async function runBuild(
  dataflow: Dataflow,
  nodes: string[] | undefined,
  onLine: BuildLine,
): Promise<Record<string, NodeResult>> {
  const results: Record<string, NodeResult> = {};
  for (const node of dataflow.nodes) {
    if (nodes ? !nodes.includes(node.id) : !(node.build || node.git)) continue;
    try {
      let cwd = node.deploy?.workingDir ?? dataflow.workingDir;
      if (node.git) {
        cwd = gitDir(dataflow, node);
        await checkoutGit(node, cwd, (l) => onLine(node.id, l));
      }
      if (node.build) {
        onLine(node.id, `$ ${node.build}`);
        const code = await run(
          "sh",
          ["-ec", node.build],
          cwd,
          node.env,
          (l) => onLine(node.id, l),
        );
        if (code !== 0) {
          throw new Error(`build command exited with code ${code}`);
        }
      }
      results[node.id] = { ok: true };
    } catch (err) {
      results[node.id] = {
        ok: false,
        error: errorMessage(err),
      };
    }
  }
  return results;
}

async function checkoutGit(
  node: NodeSpec,
  dir: string,
  onLine: (line: string) => void,
): Promise<void> {
  const git = node.git!;
  const exists = await Deno.stat(`${dir}/.git`).then(() => true, () => false);
  const step = async (args: string[], cwd?: string) => {
    onLine(`$ git ${args.join(" ")}`);
    const code = await run("git", args, cwd ?? dir, {}, onLine);
    if (code !== 0) {
      throw new Error(`git ${args[0]} failed with code ${code} (${git.url})`);
    }
  };
  if (!exists) {
    await Deno.mkdir(dir.slice(0, dir.lastIndexOf("/")), { recursive: true });
    await step(["clone", git.url, dir], "/");
  } else {
    await step(["fetch", "--tags", "origin"]);
  }
  const ref = git.rev ?? (git.tag ? `tags/${git.tag}` : undefined) ??
    (git.branch ? `origin/${git.branch}` : undefined);
  if (ref) await step(["checkout", "--detach", ref]);
  else if (exists) await step(["pull", "--ff-only"]);
}

async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onLine: (line: string) => void,
): Promise<number> {
  let child;
  try {
    child = new Deno.Command(cmd, {
      args,
      cwd,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    throw new Error(
      `cannot run ${cmd} in ${cwd}: ${
        err instanceof Error ? err.message : err
      }`,
    );
  }
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const l of lines) onLine(l);
    }
    if (rest) onLine(rest);
  };
  await Promise.all([pump(child.stdout), pump(child.stderr)]);
  return (await child.status).code;
}
