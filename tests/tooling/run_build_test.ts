/**
 * `dora run` builds first: git sources cloned at their ref (the node then runs
 * from its clone), `build:` commands with their output, `--no-build`, URL
 * sources downloaded once into a verified cache (a local HTTP server serves
 * them), and `--uv`. Every failure stops the run before any node starts.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";

const GIT_ENV = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};

async function git(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", { args, cwd, env: GIT_ENV })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

/** A node that prints its working folder and what its build wrote. */
const WHERE_PY = `import os
from dora import Node
Node()
print("cwd", os.getcwd(), "built", open("built.txt").read().strip(), "version VERSION", flush=True)
`;

function listing(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  } catch {
    return [];
  }
}

Deno.test("dora run clones a git source at its tag, builds in the clone and runs from it", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-build-" });
  try {
    const repo = `${dir}/repo`;
    Deno.mkdirSync(repo);
    await git(repo, "init", "-q", "-b", "main");
    Deno.writeTextFileSync(
      `${repo}/where.py`,
      WHERE_PY.replace("VERSION", "1"),
    );
    await git(repo, "add", ".");
    await git(repo, "commit", "-q", "-m", "v1");
    await git(repo, "tag", "v1");
    Deno.writeTextFileSync(
      `${repo}/where.py`,
      WHERE_PY.replace("VERSION", "2"),
    );
    await git(repo, "commit", "-q", "-am", "v2");
    const yml = `${dir}/flow/dataflow.yml`;
    Deno.mkdirSync(`${dir}/flow`);
    Deno.writeTextFileSync(
      yml,
      `nodes:\n  - id: where\n    git: file://${repo}\n    tag: v1\n    path: where.py\n    build: echo "from the build" > built.txt\n`,
    );
    const r = await runDora(["run", yml, "--allow-shell-nodes"]);
    assert.equal(r.code, 0, r.stderr);
    const clone = `${dir}/flow/.dora/git/where`;
    assert.match(r.stderr, /where: \$ echo "from the build" > built\.txt/);
    assert.match(r.stderr, /where: checked out tag v1 of file:/);
    assert.match(
      r.stderr,
      new RegExp(`cwd ${clone} built from the build version 1`),
    );

    // --no-build: no clone update and no build, the clone as it is.
    Deno.removeSync(`${clone}/built.txt`);
    Deno.writeTextFileSync(`${clone}/built.txt`, "kept");
    const nobuild = await runDora(["run", yml, "--no-build"]);
    assert.equal(nobuild.code, 0, nobuild.stderr);
    assert.doesNotMatch(nobuild.stderr, /\$ echo/);
    assert.match(nobuild.stderr, /built kept version 1/);

    // A tag that does not exist: one error naming the node, nothing started.
    Deno.writeTextFileSync(
      yml,
      Deno.readTextFileSync(yml).replace("tag: v1", "tag: v9"),
    );
    Deno.removeSync(`${dir}/flow/.dora`, { recursive: true });
    Deno.removeSync(`${dir}/flow/out`, { recursive: true });
    const bad = await runDora(["run", yml, "--allow-shell-nodes"]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /error: node "where": tag v9 does not exist in file:\/\//,
    );
    assert.doesNotMatch(bad.stderr, /started/);
    assert.deepEqual(listing(`${dir}/flow/.dora/git`), []);
    assert.deepEqual(listing(`${dir}/flow/out`), []);

    // --no-build without a clone says so.
    const noclone = await runDora(["run", yml, "--no-build"]);
    assert.equal(noclone.code, 1);
    assert.match(
      noclone.stderr,
      /node "where": its git source .* \(tag v9\) is not cloned yet/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora run stops at a failing build with the node, the command and its last lines", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-build-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/mark.py`,
      `from dora import Node\nNode()\nopen("ran.txt", "w").write("ran")\n`,
    );
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      `nodes:
  - id: first
    path: mark.py
  - id: camera
    path: mark.py
    build: |
      echo compiling camera
      echo "camera.c:3: error: nope" >&2; exit 2
      touch never.txt
`,
    );
    const r = await runDora(["run", "dataflow.yml", "--allow-shell-nodes"], {
      cwd: dir,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /camera: compiling camera/);
    assert.match(
      r.stderr,
      /error: node "camera": build command "echo "camera\.c:3: error: nope" >&2; exit 2" exited with code 2\n {2}last output lines:\n {4}camera\.c:3: error: nope/,
    );
    assert.match(r.stderr, /skip the build with --no-build/);
    assert.deepEqual(listing(dir).filter((f) => f.endsWith(".txt")), []);

    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: cam\n    path: mark.py\n    build: no-such-compiler --version\n",
    );
    const notFound = await runDora([
      "run",
      "dataflow.yml",
      "--allow-shell-nodes",
    ], { cwd: dir });
    assert.equal(notFound.code, 1);
    assert.match(
      notFound.stderr,
      /node "cam": build command "no-such-compiler --version" exited with code 127/,
    );
    assert.match(notFound.stderr, /a program of the command was not found/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** A loopback HTTP server; counts requests per path. */
function serve(files: Record<string, Uint8Array | string>) {
  const hits: Record<string, number> = {};
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      const path = new URL(req.url).pathname;
      hits[path] = (hits[path] ?? 0) + 1;
      const body = files[path];
      return body === undefined
        ? new Response("no", { status: 404, statusText: "Not Found" })
        : new Response(body as BodyInit);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function sha256(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === "string"
    ? new TextEncoder().encode(bytes)
    : bytes;
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>),
  ).toHex();
}

Deno.test("dora run downloads URL sources once, verifies them and unpacks archives", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-url-" });
  try {
    const script =
      `from dora import Node\nNode()\nprint("downloaded node runs", flush=True)\n`;
    const made = await new Deno.Command("python3", {
      args: [
        "-c",
        `import tarfile, io
with tarfile.open("${dir}/tools.tar.gz", "w:gz") as t:
    greeter = b"#!/usr/bin/env python3\\nfrom dora import Node\\nNode()\\nprint('archive node runs', flush=True)\\n"
    for name, body in [("pkg/bin/greeter", greeter), ("pkg/README", b"x")]:
        i = tarfile.TarInfo(name); i.size = len(body); i.mode = 0o755
        t.addfile(i, io.BytesIO(body))`,
      ],
    }).output();
    assert.equal(made.code, 0);
    await using srv = serve({
      "/nodes/hello.py": script,
      "/nodes/tools.tar.gz": Deno.readFileSync(`${dir}/tools.tar.gz`),
    });
    const env = { DORA_CACHE_DIR: `${dir}/cache` };
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      `nodes:
  - id: hello
    path: ${srv.url}/nodes/hello.py
    path_sha256: ${await sha256(script)}
  - id: greeter
    path: ${srv.url}/nodes/tools.tar.gz#pkg/bin/greeter
`,
    );
    for (let run = 0; run < 2; run++) {
      const r = await runDora(["run", "dataflow.yml", "--allow-shell-nodes"], {
        cwd: dir,
        env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /hello: downloaded node runs/);
      assert.match(r.stderr, /greeter: archive node runs/);
    }
    assert.equal(srv.hits["/nodes/hello.py"], 1);
    assert.equal(srv.hits["/nodes/tools.tar.gz"], 1);

    // A checksum that does not match: nothing kept, nothing run.
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      `nodes:\n  - id: hello\n    path: ${srv.url}/nodes/hello.py\n    path_sha256: ${
        "ab".repeat(32)
      }\n`,
    );
    const cache2 = { DORA_CACHE_DIR: `${dir}/cache2` };
    const bad = await runDora(["run", "dataflow.yml", "--allow-shell-nodes"], {
      cwd: dir,
      env: cache2,
    });
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /error: node "hello": checksum mismatch for .*hello\.py: path_sha256 is (ab){32}, the download's SHA-256 is [0-9a-f]{64}/,
    );
    assert.doesNotMatch(bad.stderr, /downloaded node runs/);
    assert.deepEqual(listing(`${dir}/cache2/sources`), []);

    // Not on the server, and no server at all.
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      `nodes:\n  - id: gone\n    path: ${srv.url}/nodes/gone.py\n`,
    );
    const missing = await runDora([
      "run",
      "dataflow.yml",
      "--allow-shell-nodes",
    ], {
      cwd: dir,
      env: cache2,
    });
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /error: node "gone": cannot download .*gone\.py: the server answered 404 Not Found/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora run --uv builds with uv pip into the dataflow's environment and runs Python nodes with uv", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-uv-" });
  try {
    Deno.mkdirSync(`${dir}/wheels`);
    const wheel = await new Deno.Command("python3", {
      args: [
        "-c",
        `import zipfile
with zipfile.ZipFile("${dir}/wheels/greeting-0.1-py3-none-any.whl", "w") as z:
    z.writestr("greeting/__init__.py", "WORD = 'hello from a uv-installed package'\\n")
    z.writestr("greeting-0.1.dist-info/METADATA", "Metadata-Version: 2.1\\nName: greeting\\nVersion: 0.1\\n")
    z.writestr("greeting-0.1.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr("greeting-0.1.dist-info/RECORD", "")`,
      ],
    }).output();
    assert.equal(wheel.code, 0);
    Deno.writeTextFileSync(
      `${dir}/node.py`,
      `import sys, greeting\nfrom dora import Node\nNode()\nprint(greeting.WORD, "in", sys.prefix, flush=True)\n`,
    );
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: py\n    path: node.py\n    build: pip install --no-index --find-links wheels greeting\n",
    );
    const r = await runDora([
      "run",
      "dataflow.yml",
      "--uv",
      "--allow-shell-nodes",
    ], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`creating a Python environment for uv in ${dir}/\\.venv`),
    );
    assert.match(
      r.stderr,
      /py: \$ \S*uv pip install --no-index --find-links wheels greeting/,
    );
    assert.match(
      r.stderr,
      new RegExp(`py: hello from a uv-installed package in ${dir}/\\.venv`),
    );

    // Without --uv the same build runs pip itself, outside the environment.
    const plain = await runDora(["run", "dataflow.yml", "--no-build"], {
      cwd: dir,
    });
    assert.equal(plain.code, 1);
    assert.match(
      plain.stderr,
      /ModuleNotFoundError: No module named 'greeting'/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
