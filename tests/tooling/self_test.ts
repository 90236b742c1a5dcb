/**
 * `dora self update` against a local release server (manifest + artifact,
 * checksum verified, atomic replace, the old program kept on any failure) and
 * `dora self uninstall` of a `deno task install` shim and of a bundle.
 */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";

const decoder = new TextDecoder();

async function sha256(bytes: Uint8Array): Promise<string> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  ).toHex();
}

async function bundle(to: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform=deno", "-o", to, "main.ts"],
    cwd: ROOT,
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
}

async function runBundle(
  path: string,
  args: string[],
  env: Record<string, string> = {},
) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-prompt", path, ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** A loopback release server; `routes` maps a path to a response maker. */
function releaseServer(routes: Record<string, () => Response>) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      (routes[new URL(req.url).pathname] ??
        (() => new Response("no", { status: 404 })))(),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function tempFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.startsWith(".dora-update-")
  );
}

Deno.test("dora self update replaces the program with a verified newer release and keeps it on failures", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-self-" });
  try {
    const app = `${dir}/dora.js`;
    await bundle(app);
    Deno.chmodSync(app, 0o750);
    const old = Deno.readFileSync(app);
    const current = /DORA_VERSION = "([^"]+)"/.exec(decoder.decode(old))![1]!;
    const next = new TextEncoder().encode(
      decoder.decode(old).replace(
        `DORA_VERSION = "${current}"`,
        `DORA_VERSION = "99.0.0"`,
      ),
    );
    const goodSha = await sha256(next);
    const manifest = (sha: string, url = "dora-99.js") => () =>
      Response.json({
        version: "99.0.0",
        assets: [{ target: "bundle", url, sha256: sha }],
      });
    await using srv = releaseServer({
      "/good/manifest.json": manifest(goodSha),
      "/good/dora-99.js": () => new Response(next),
      "/tampered/manifest.json": manifest("0".repeat(64), "/good/dora-99.js"),
      "/broken/manifest.json": manifest(goodSha),
      "/broken/dora-99.js": () =>
        new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(next.subarray(0, 1000));
              c.error(new Error("connection reset"));
            },
          }),
        ),
      "/bad/manifest.json": () =>
        Response.json({ version: "soon", assets: [] }),
      "/same/manifest.json": () =>
        Response.json({
          version: current,
          assets: [{ target: "bundle", url: "x.js", sha256: goodSha }],
        }),
    });

    const check = await runBundle(app, [
      "self",
      "update",
      "--check-only",
      "--source",
      `${srv.url}/good/`,
    ]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(
      check.stdout,
      new RegExp(
        `an update is available: 99\\.0\\.0 \\(current: ${
          current.replaceAll(".", "\\.")
        }\\)`,
      ),
    );
    assert.deepEqual(Deno.readFileSync(app), old);

    const tampered = await runBundle(app, ["self", "update"], {
      DORA_RELEASE_SOURCE: `${srv.url}/tampered/manifest.json`,
    });
    assert.equal(tampered.code, 1);
    assert.match(
      tampered.stderr,
      /error: checksum mismatch for .*dora-99\.js: the manifest says 0{64}/,
    );
    assert.deepEqual(Deno.readFileSync(app), old);
    assert.deepEqual(tempFiles(dir), []);

    const broken = await runBundle(app, [
      "self",
      "update",
      "--source",
      `${srv.url}/broken/`,
    ]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /error: cannot download .*dora-99\.js/);
    assert.deepEqual(Deno.readFileSync(app), old);
    assert.deepEqual(tempFiles(dir), []);

    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = (closed.addr as Deno.NetAddr).port;
    closed.close(); // nothing listens there any more
    const unreachable = await runBundle(app, [
      "self",
      "update",
      "--source",
      `http://127.0.0.1:${closedPort}/`,
    ]);
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      /error: cannot reach the release source .*manifest\.json: tcp connect error: Connection refused/,
    );
    assert.deepEqual(Deno.readFileSync(app), old);

    const bad = await runBundle(app, [
      "self",
      "update",
      "--source",
      `${srv.url}/bad/`,
    ]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /manifest at .*\/bad\/manifest\.json is invalid: "version" must be a semantic version, got "soon"/,
    );

    const same = await runBundle(app, [
      "self",
      "update",
      "--source",
      `${srv.url}/same/`,
    ]);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /dora is up to date/);

    const updated = await runBundle(app, [
      "self",
      "update",
      "--source",
      `${srv.url}/good/`,
    ]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(
      updated.stdout,
      new RegExp(`updated dora ${current.replaceAll(".", "\\.")} → 99\\.0\\.0`),
    );
    assert.deepEqual(Deno.readFileSync(app), next);
    assert.equal(Deno.statSync(app).mode! & 0o777, 0o750);
    assert.deepEqual(tempFiles(dir), []);
    const version = await runBundle(app, ["--version"]);
    assert.equal(version.stdout.trim(), "99.0.0");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora self update refuses to replace a source checkout", async () => {
  await using srv = releaseServer({
    "/manifest.json": () =>
      Response.json({
        version: "99.0.0",
        assets: [{ target: "bundle", url: "dora.js", sha256: "a".repeat(64) }],
      }),
  });
  const r = await runBundle(`${ROOT}/main.ts`, [
    "self",
    "update",
    "--source",
    `${srv.url}/manifest.json`,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error: this dora runs from a source checkout/);
  assert.match(r.stderr, /git pull/);
});

/** Runs `deno task install` into `root` and returns the shim's path. */
async function installShim(root: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "install"],
    cwd: ROOT,
    env: { DENO_INSTALL_ROOT: root },
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  return `${root}/bin/dora`;
}

async function runShim(
  shim: string,
  args: string[],
  root: string,
  stdin?: string,
) {
  const path = `${Deno.execPath().replace(/\/deno$/, "")}:${
    Deno.env.get("PATH")
  }`;
  const child = new Deno.Command(stdin === undefined ? shim : "script", {
    args: stdin === undefined
      ? args
      : ["-qec", [shim, ...args].join(" "), "/dev/null"],
    env: { DENO_INSTALL_ROOT: root, PATH: path, NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    text: decoder.decode(out.stdout) + decoder.decode(out.stderr),
  };
}

Deno.test("dora self uninstall removes the deno task install shim, asking on a terminal unless --force", async () => {
  const root = Deno.makeTempDirSync({ prefix: "dora-install-" });
  try {
    const shim = await installShim(root);
    const version = await runShim(shim, ["--version"], root);
    assert.equal(version.code, 0, version.text);

    const piped = await runShim(shim, ["self", "uninstall"], root);
    assert.equal(piped.code, 1);
    assert.match(
      piped.text,
      /not uninstalling without confirmation: stdin is not a terminal/,
    );
    assert.ok(Deno.statSync(shim).isFile);

    const no = await runShim(shim, ["self", "uninstall"], root, "n\n");
    assert.equal(no.code, 0, no.text);
    assert.match(no.text, /uninstall dora\? \[y\/N\]/);
    assert.match(no.text, /uninstall cancelled/);
    assert.ok(Deno.statSync(shim).isFile);

    const yes = await runShim(shim, ["self", "uninstall"], root, "y\n");
    assert.equal(yes.code, 0, yes.text);
    assert.match(yes.text, new RegExp(`removed ${root}/bin/dora\\b`));
    assert.throws(() => Deno.statSync(shim), Deno.errors.NotFound);
    assert.throws(
      () => Deno.statSync(`${root}/bin/.dora`),
      Deno.errors.NotFound,
    );

    const shim2 = await installShim(root);
    const forced = await runShim(shim2, ["self", "uninstall", "--force"], root);
    assert.equal(forced.code, 0, forced.text);
    assert.throws(() => Deno.statSync(shim2), Deno.errors.NotFound);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("dora self uninstall --force removes a bundled dora program", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-self-" });
  try {
    await bundle(`${dir}/dora.js`);
    const r = await runBundle(`${dir}/dora.js`, [
      "self",
      "uninstall",
      "--force",
    ], {
      DENO_INSTALL_ROOT: `${dir}/none`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed .*\/dora\.js/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
