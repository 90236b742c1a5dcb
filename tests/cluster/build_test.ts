/**
 * `dora build`: git sources are cloned at their tag and `build:` runs in the
 * clone, locally without a coordinator and on the daemon with one; the node
 * then runs from the clone.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../_support/cluster.ts";

const HELLO = `import { Node } from "dora";
await Node.init();
console.log("hello from VERSION");
`;

async function git(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: {
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test("dora build clones git sources at their tag and runs build: locally and on the daemon", async () => {
  const sb = await Sandbox.create();
  const repo = `${sb.dir}/repo`;
  Deno.mkdirSync(repo);
  try {
    await git(repo, "init", "-q", "-b", "main");
    Deno.writeTextFileSync(`${repo}/hello.ts`, HELLO.replace("VERSION", "v1"));
    await git(repo, "add", ".");
    await git(repo, "commit", "-q", "-m", "v1");
    await git(repo, "tag", "v1");
    Deno.writeTextFileSync(`${repo}/hello.ts`, HELLO.replace("VERSION", "v2"));
    await git(repo, "commit", "-q", "-am", "v2");
    const yml = sb.write(
      "dataflow.yml",
      `nodes:
  - id: greeter
    git: file://${repo}
    tag: v1
    path: hello.ts
    build: echo built > built.txt
`,
    );
    const local = await sb.dora(["build", yml, "--allow-shell-nodes"]);
    assert.equal(local.code, 0, local.stderr + local.stdout);
    assert.match(local.stdout, /greeter: \$ echo built > built\.txt/);
    const clone = `${sb.dir}/.dora/git/greeter`;
    assert.equal(Deno.readTextFileSync(`${clone}/built.txt`).trim(), "built");
    assert.match(Deno.readTextFileSync(`${clone}/hello.ts`), /v1/);
    Deno.removeSync(`${clone}/built.txt`);

    await sb.coordinator();
    await sb.daemon();
    const remote = await sb.dora(["build", yml, "--allow-shell-nodes"]);
    assert.equal(remote.code, 0, remote.stderr + remote.stdout);
    assert.match(remote.stdout, /greeter: \$ git fetch/);
    assert.ok(Deno.statSync(`${clone}/built.txt`).isFile);

    const run = await sb.dora(["start", yml, "--attach"]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /greeter: hello from v1/);

    const broken = sb.write(
      "broken.yml",
      "nodes:\n  - id: bad\n    path: x.sh\n    build: exit 3\n",
    );
    const failed = await sb.dora(["build", broken, "--allow-shell-nodes"]);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /build of bad failed: build command "exit 3" exited with code 3/,
    );
  } finally {
    await sb.cleanup();
  }
});
