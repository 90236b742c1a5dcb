/**
 * `git:` node sources: a node's repository is cloned into
 * `<dataflow dir>/.dora/git/<node id>` and checked out at its `branch`, `tag`
 * or `rev` (the default branch's head without one); the node then builds and
 * runs from that clone. A first clone goes to a temporary folder renamed into
 * place only once checked out, so a failed clone leaves nothing behind.
 *
 * @module
 */
import type { Dataflow, NodeSpec } from "../descriptor/mod.ts";
import { BuildError } from "./build_error.ts";
import { type LinesResult, runLines } from "./_run_lines.ts";

/** A node's `git:` source as the descriptor gives it. */
export type GitSource = NonNullable<NodeSpec["git"]>;

/** Where the clone of a git node lives: `<dataflow dir>/.dora/git/<node id>`. */
export function gitCloneDir(dataflow: Dataflow, node: NodeSpec): string {
  return `${dataflow.workingDir}/.dora/git/${node.id}`;
}

/** The ref as people write it: `tag v1`, `branch main`, `rev 1a2b3c`. */
export function describeRef(git: GitSource): string {
  if (git.rev) return `rev ${git.rev}`;
  if (git.tag) return `tag ${git.tag}`;
  if (git.branch) return `branch ${git.branch}`;
  return "the default branch";
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
 * Clones or updates the repository of `node` into `dir` and checks out its
 * ref; resolves to the checked-out commit.
 *
 * @throws {BuildError} when git is missing, the repository is unreachable or
 * the ref does not exist (naming the node, the URL and the ref).
 */
export async function checkoutGitSource(
  node: string,
  git: GitSource,
  dir: string,
  onLine: (line: string) => void,
): Promise<string> {
  const fresh = !exists(`${dir}/.git`);
  const work = fresh ? `${dir}.partial-${Deno.pid}` : dir;
  const step = async (args: string[], what: string, cwd = work) => {
    onLine(`$ git ${args.join(" ")}`);
    let result: LinesResult;
    try {
      result = await runLines("git", args, {
        cwd,
        env: { GIT_TERMINAL_PROMPT: "0" },
        onLine,
      });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new BuildError(node, "git", "git is not installed", {
          hint:
            "install git (e.g. `apt-get install git`) to use `git:` sources",
        });
      }
      throw err;
    }
    if (result.code !== 0) {
      throw new BuildError(node, "git", what, { tail: result.tail });
    }
  };
  try {
    if (fresh) {
      const parent = dir.slice(0, dir.lastIndexOf("/"));
      Deno.mkdirSync(parent, { recursive: true });
      Deno.removeSync(work, { recursive: true });
    }
  } catch {
    // no leftover partial clone
  }
  try {
    if (fresh) {
      await step(
        ["clone", "--quiet", git.url, work],
        `cannot clone ${git.url}`,
        dir.slice(0, dir.lastIndexOf("/")),
      );
    } else {
      await step(
        ["fetch", "--quiet", "--tags", "--force", "origin"],
        `cannot fetch ${git.url}`,
      );
    }
    const ref = git.rev ?? (git.tag ? `refs/tags/${git.tag}` : undefined) ??
      (git.branch
        ? `refs/remotes/origin/${git.branch}`
        : "refs/remotes/origin/HEAD");
    const commit = await revParse(work, `${ref}^{commit}`);
    if (!commit) {
      throw new BuildError(
        node,
        "git",
        `${describeRef(git)} does not exist in ${git.url}`,
        {
          hint: `check the node's \`${
            git.rev ? "rev" : git.tag ? "tag" : "branch"
          }:\` (git ls-remote ${git.url} lists what exists)`,
        },
      );
    }
    await step(
      ["checkout", "--quiet", "--force", "--detach", commit],
      `cannot check out ${describeRef(git)} (${commit}) of ${git.url}`,
    );
    if (fresh) Deno.renameSync(work, dir);
    onLine(
      `checked out ${describeRef(git)} of ${git.url} at ${commit.slice(0, 12)}`,
    );
    return commit;
  } finally {
    if (fresh) {
      try {
        Deno.removeSync(work, { recursive: true });
      } catch {
        // renamed into place, or never created
      }
    }
  }
}

/** The commit `rev` names in `cwd`, or undefined when it names none. */
async function revParse(cwd: string, rev: string): Promise<string | undefined> {
  const out = await new Deno.Command("git", {
    args: ["rev-parse", "--verify", "--quiet", rev],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return out.code === 0 && text ? text : undefined;
}
