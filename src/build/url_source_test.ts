import assert from "node:assert/strict";
import { fetchUrlSource } from "./url_source.ts";
import { BuildError } from "./build_error.ts";

/** A loopback HTTP server serving `files`, counting requests per path. */
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

async function sha256(text: string): Promise<string> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  ).toHex();
}

Deno.test("fetchUrlSource() downloads once, verifies and marks the file executable", async () => {
  const cacheDir = Deno.makeTempDirSync();
  await using srv = serve({ "/tool.sh": "#!/bin/sh\necho hi\n" });
  try {
    const opts = {
      node: "n",
      cacheDir,
      sha256: await sha256("#!/bin/sh\necho hi\n"),
      onLine: () => {},
    };
    const first = await fetchUrlSource(`${srv.url}/tool.sh`, opts);
    assert.equal(first.downloaded, true);
    assert.match(first.path, /\/file\/tool\.sh$/);
    assert.equal(Deno.statSync(first.path).mode! & 0o111, 0o111);
    const again = await fetchUrlSource(`${srv.url}/tool.sh`, opts);
    assert.equal(again.downloaded, false);
    assert.equal(again.path, first.path);
    assert.equal(srv.hits["/tool.sh"], 1);
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
  }
});

Deno.test("fetchUrlSource() refuses a checksum mismatch and keeps nothing", async () => {
  const cacheDir = Deno.makeTempDirSync();
  await using srv = serve({ "/tool.sh": "evil" });
  try {
    await assert.rejects(
      fetchUrlSource(`${srv.url}/tool.sh`, {
        node: "cam",
        cacheDir,
        sha256: "0".repeat(64),
        onLine: () => {},
      }),
      (err) =>
        err instanceof BuildError && err.step === "url" &&
        /node "cam": checksum mismatch for .*path_sha256 is 0{64}/.test(
          err.message,
        ),
    );
    assert.deepEqual([...Deno.readDirSync(cacheDir)], []);
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
  }
});

Deno.test("fetchUrlSource() names the HTTP status of a failed download", async () => {
  const cacheDir = Deno.makeTempDirSync();
  await using srv = serve({});
  try {
    await assert.rejects(
      fetchUrlSource(`${srv.url}/missing.py`, {
        node: "cam",
        cacheDir,
        onLine: () => {},
      }),
      (err) =>
        err instanceof BuildError &&
        /cannot download .*missing\.py: the server answered 404 Not Found/
          .test(err.message),
    );
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
  }
});

Deno.test("fetchUrlSource() names an unreachable server", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there any more
  await assert.rejects(
    fetchUrlSource(`http://127.0.0.1:${port}/x.py`, {
      node: "cam",
      cacheDir: "/nonexistent",
      onLine: () => {},
    }),
    (err) =>
      err instanceof BuildError &&
      /cannot download .*: tcp connect error: Connection refused/.test(
        err.message,
      ),
  );
});

Deno.test("fetchUrlSource() unpacks an archive and picks the file named in the fragment or after the node", async () => {
  const cacheDir = Deno.makeTempDirSync();
  const tmp = Deno.makeTempDirSync();
  try {
    const out = await new Deno.Command("python3", {
      args: [
        "-c",
        `import zipfile
with zipfile.ZipFile("${tmp}/nodes.zip", "w") as z:
    z.writestr("bin/camera", "#!/bin/sh\\necho camera\\n")
    z.writestr("bin/lidar", "#!/bin/sh\\necho lidar\\n")`,
      ],
    }).output();
    assert.equal(out.code, 0);
    await using srv = serve({
      "/nodes.zip": Deno.readFileSync(`${tmp}/nodes.zip`),
    });
    const opts = { cacheDir, onLine: () => {} };
    const byName = await fetchUrlSource(`${srv.url}/nodes.zip`, {
      ...opts,
      node: "lidar",
    });
    assert.match(byName.path, /\/unpacked\/bin\/lidar$/);
    assert.equal(Deno.statSync(byName.path).mode! & 0o111, 0o111);
    const byFragment = await fetchUrlSource(`${srv.url}/nodes.zip#bin/camera`, {
      ...opts,
      node: "x",
    });
    assert.match(byFragment.path, /\/unpacked\/bin\/camera$/);
    assert.equal(srv.hits["/nodes.zip"], 1);
    await assert.rejects(
      fetchUrlSource(`${srv.url}/nodes.zip`, { ...opts, node: "other" }),
      (err) =>
        err instanceof BuildError &&
        /none is clearly the node's program/.test(err.message) &&
        /bin\/camera/.test(err.hint ?? ""),
    );
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
    Deno.removeSync(tmp, { recursive: true });
  }
});
