import assert from "node:assert/strict";
import { checkoutGitSource } from "./git_source.ts";
import { BuildError } from "./build_error.ts";

const GIT_ENV = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, env: GIT_ENV })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

/** A repository with `v.txt` = 1 (tag v1), then 2 on main and 3 on `dev`. */
async function repo(dir: string): Promise<string> {
  const r = `${dir}/repo`;
  Deno.mkdirSync(r);
  await git(r, "init", "-q", "-b", "main");
  Deno.writeTextFileSync(`${r}/v.txt`, "1");
  await git(r, "add", ".");
  await git(r, "commit", "-q", "-m", "one");
  await git(r, "tag", "v1");
  Deno.writeTextFileSync(`${r}/v.txt`, "2");
  await git(r, "commit", "-q", "-am", "two");
  await git(r, "checkout", "-q", "-b", "dev");
  Deno.writeTextFileSync(`${r}/v.txt`, "3");
  await git(r, "commit", "-q", "-am", "three");
  await git(r, "checkout", "-q", "main");
  return r;
}

Deno.test("checkoutGitSource() checks out a tag, a branch, a rev and the default branch", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const url = `file://${await repo(dir)}`;
    const clone = `${dir}/clones/n`;
    const noop = () => {};
    await checkoutGitSource("n", { url, tag: "v1" }, clone, noop);
    assert.equal(Deno.readTextFileSync(`${clone}/v.txt`), "1");
    await checkoutGitSource("n", { url, branch: "dev" }, clone, noop);
    assert.equal(Deno.readTextFileSync(`${clone}/v.txt`), "3");
    const first = await git(
      `${dir}/repo`,
      "rev-list",
      "--max-parents=0",
      "HEAD",
    );
    const commit = await checkoutGitSource(
      "n",
      { url, rev: first.slice(0, 8) },
      clone,
      noop,
    );
    assert.equal(commit, first);
    assert.equal(Deno.readTextFileSync(`${clone}/v.txt`), "1");
    await checkoutGitSource("n", { url }, clone, noop);
    assert.equal(Deno.readTextFileSync(`${clone}/v.txt`), "2");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("checkoutGitSource() names a missing tag and leaves no clone behind", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const url = `file://${await repo(dir)}`;
    await assert.rejects(
      checkoutGitSource(
        "cam",
        { url, tag: "v9" },
        `${dir}/clones/cam`,
        () => {},
      ),
      (err) => {
        assert.ok(err instanceof BuildError);
        assert.equal(err.step, "git");
        assert.match(err.message, /node "cam": tag v9 does not exist in file:/);
        return true;
      },
    );
    assert.deepEqual([...Deno.readDirSync(`${dir}/clones`)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("checkoutGitSource() names an unreachable repository", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    await assert.rejects(
      checkoutGitSource(
        "cam",
        { url: `file://${dir}/nope`, branch: "main" },
        `${dir}/clones/cam`,
        () => {},
      ),
      (err) =>
        err instanceof BuildError &&
        /node "cam": cannot clone file:\/\/.*\/nope/.test(err.message) &&
        err.tail.length > 0,
    );
    assert.deepEqual([...Deno.readDirSync(`${dir}/clones`)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
