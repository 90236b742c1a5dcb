/**
 * `dora start` resolves node sources on the daemon: URL sources from the
 * daemon's download cache, git nodes from the clones `dora build` made (a
 * missing clone is an error naming the node), and `--uv` runs Python nodes
 * with `uv run python` there.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../_support/cluster.ts";

const PARENT_PY = `import os
from dora import Node
Node()
comm = open(f"/proc/{os.getppid()}/comm").read().strip()
print("started by", comm, flush=True)
`;

Deno.test("dora start runs URL sources and --uv Python nodes on the daemon, and names a git node that was not built", async () => {
  const sb = await Sandbox.create();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new URL(req.url).pathname === "/parent.py"
        ? new Response(PARENT_PY)
        : new Response("no", { status: 404 }),
  );
  try {
    await sb.coordinator();
    await sb.daemon([], { DORA_CACHE_DIR: `${sb.dir}/cache` });
    const yml = sb.write(
      "dataflow.yml",
      `nodes:\n  - id: probe\n    path: http://127.0.0.1:${server.addr.port}/parent.py\n`,
    );
    const plain = await sb.dora(["start", yml, "--attach"]);
    assert.equal(plain.code, 0, plain.stderr + plain.stdout);
    assert.match(
      plain.stdout + plain.stderr,
      /probe: started by deno/,
    );
    const uv = await sb.dora(["start", yml, "--attach", "--uv"]);
    assert.equal(uv.code, 0, uv.stderr + uv.stdout);
    assert.match(uv.stdout + uv.stderr, /probe: started by uv/);

    const git = sb.write(
      "git.yml",
      `nodes:\n  - id: cloned\n    git: file://${sb.dir}/no-repo\n    branch: main\n    path: node.py\n`,
    );
    const missing = await sb.dora(["start", git, "--attach"]);
    assert.equal(missing.code, 1, missing.stdout);
    assert.match(
      missing.stderr,
      /node "cloned": its git source file:\/\/.*\/no-repo \(branch main\) is not cloned yet .*; run `dora build .*git\.yml` first/,
    );
  } finally {
    await server.shutdown();
    await sb.cleanup();
  }
});
