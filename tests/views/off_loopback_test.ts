/**
 * `dora ui` and `dora foxglove` off loopback: refused without the
 * coordinator's token; with it, every request and WebSocket must present
 * it (missing: 401, wrong: 403, right: served), and the token is never
 * printed. The servers bind this machine's own non-loopback address (or
 * 0.0.0.0 when it has none) and are reached through it.
 *
 * @module
 */
import assert from "node:assert/strict";
import foxglove from "@foxglove/ws-protocol";
import { InspectPlace } from "../_support/inspect.ts";
import {
  CHROMIUM,
  startView,
  type ViewServer,
  withBrowser,
} from "../_support/views.ts";

// Evaluated in the page, not in Deno.
// deno-lint-ignore no-explicit-any
declare const document: any;

const { FoxgloveClient } = foxglove;
const FOXGLOVE = FoxgloveClient.SUPPORTED_SUBPROTOCOL;

/** Where to bind off loopback and how to reach it from here. */
function offLoopback(): { bind: string; reach: string } {
  const own = Deno.networkInterfaces().find((i) =>
    i.family === "IPv4" && !i.address.startsWith("127.")
  );
  return own
    ? { bind: own.address, reach: own.address }
    : { bind: "0.0.0.0", reach: "127.0.0.1" };
}

/** A random token for one test (the coordinator's would be 64 hex digits too). */
function testToken(): string {
  return crypto.getRandomValues(new Uint8Array(32)).toHex();
}

/**
 * A raw WebSocket handshake on `host:port`: the status the server answers
 * and the whole head of its answer.
 */
async function handshake(
  host: string,
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; head: string }> {
  const conn = await Deno.connect({ hostname: host, port });
  try {
    const key = crypto.getRandomValues(new Uint8Array(16)).toBase64();
    const request = [
      `GET ${path} HTTP/1.1`,
      `Host: ${host}:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ].join("\r\n");
    await conn.write(new TextEncoder().encode(request));
    let head = "";
    const buf = new Uint8Array(4096);
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      head += new TextDecoder().decode(buf.subarray(0, n));
    }
    return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), head };
  } finally {
    conn.close();
  }
}

/** Opens `socket` and resolves with its first text message. */
function firstMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.onmessage = (e) => resolve(String(e.data));
    socket.onerror = () => reject(new Error("the WebSocket failed"));
    socket.onclose = (e) =>
      reject(new Error(`the WebSocket closed (${e.code} ${e.reason})`));
  });
}

/** Stops `server` and checks it never printed `token`. */
async function stopAndCheck(server: ViewServer, token: string): Promise<void> {
  await server.stop();
  const all = server.proc.lines.join("\n");
  assert.ok(!all.includes(token), `the token was printed:\n${all}`);
}

Deno.test({
  name:
    "dora ui and dora foxglove refuse to listen off loopback without the coordinator's token",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const place = await InspectPlace.create();
    try {
      for (const kind of ["ui", "foxglove"]) {
        for (const host of [offLoopback().bind, "0.0.0.0"]) {
          const r = await place.dora([kind, "--host", host, "--port", "0"], {
            DORA_AUTH_TOKEN: "",
          });
          assert.notEqual(r.code, 0, `dora ${kind} --host ${host} listened`);
          assert.match(
            r.stderr,
            new RegExp(
              `--host ${host} listens off loopback, which needs the coordinator's token, and none is set: set DORA_AUTH_TOKEN`,
            ),
          );
          assert.equal(r.stdout, "", "no address printed");
        }
      }
    } finally {
      await place.cleanup();
    }
  },
});

Deno.test({
  name:
    "dora ui off loopback: every request and the WebSocket need the token (missing 401, wrong 403), the page logs in once, the token is never printed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const place = await InspectPlace.create();
    const token = testToken();
    const { bind, reach } = offLoopback();
    try {
      const run = await place.run("pipeline.yml");
      const uuid = /dataflow (\S+) started/.exec(
        await run.waitForLine(/dataflow \S+ started/),
      )![1]!;
      const ui = await startView(place, [
        "ui",
        "--host",
        bind,
        "--port",
        "0",
      ], { DORA_AUTH_TOKEN: token });
      const port = Number(new URL(ui.url).port);
      const base = `http://${reach}:${port}`;
      const get = (path: string, headers: Record<string, string> = {}) =>
        fetch(`${base}${path}`, { headers, redirect: "manual" });

      // Without a token: the login page, and nothing else.
      const login = await get("/");
      assert.equal(login.status, 401);
      const loginHtml = await login.text();
      assert.match(loginHtml, /<form method="post" action="\/login">/);
      assert.ok(!loginHtml.includes(token));
      for (const path of ["/app.js", "/graph.js", "/nothing"]) {
        const r = await get(path);
        assert.equal(r.status, 401, path);
        assert.equal(await r.text(), "token required\n");
      }
      // A wrong token: 403 wherever it is.
      const wrong = testToken();
      for (
        const headers of [
          { authorization: `Bearer ${wrong}` },
          { cookie: `dora_token=${wrong}` },
        ] as Record<string, string>[]
      ) {
        const r = await get("/app.js", headers);
        assert.equal(r.status, 403);
        assert.equal(await r.text(), "invalid token\n");
      }
      const wrongPage = await get(`/?token=${wrong}`);
      assert.equal(wrongPage.status, 403);
      assert.match(await wrongPage.text(), /wrong or outdated token/);
      // The right one, as a bearer header.
      const js = await get("/app.js", { authorization: `Bearer ${token}` });
      assert.equal(js.status, 200);
      await js.body?.cancel();

      // The login form: a wrong token shows the page again, the right one
      // sets an HttpOnly cookie.
      const post = (value: string) =>
        fetch(`${base}/login`, {
          method: "POST",
          body: new URLSearchParams({ token: value }),
          redirect: "manual",
        });
      const refused = await post(wrong);
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /wrong token/);
      assert.equal(refused.headers.get("set-cookie"), null);
      const accepted = await post(token);
      assert.equal(accepted.status, 303);
      assert.equal(accepted.headers.get("location"), "/");
      const cookie = accepted.headers.get("set-cookie")!;
      assert.match(
        cookie,
        /^dora_token=[0-9a-f]{64}; HttpOnly; SameSite=Strict/,
      );
      await accepted.body?.cancel();
      const jar = cookie.split(";")[0]!;
      const page = await get("/", { cookie: jar });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      // A link with the token: the cookie is set and the address loses it,
      // even over a stale cookie.
      const link = await get(`/?token=${token}`, {
        cookie: `dora_token=${wrong}`,
      });
      assert.equal(link.status, 303);
      assert.equal(link.headers.get("location"), "/");
      assert.equal(link.headers.get("set-cookie")!.split(";")[0], jar);
      await link.body?.cancel();

      // The WebSocket: refused without or with a wrong token, open with it.
      assert.equal((await handshake(reach, port, "/ws")).status, 401);
      assert.equal(
        (await handshake(reach, port, "/ws", {
          cookie: `dora_token=${wrong}`,
        })).status,
        403,
      );
      const ok = await handshake(reach, port, "/ws", { cookie: jar });
      assert.equal(ok.status, 101, ok.head);
      const socket = new WebSocket(`ws://${reach}:${port}/ws`, {
        headers: { cookie: jar },
      });
      try {
        const hello = JSON.parse(await firstMessage(socket));
        assert.equal(hello.t, "hello");
        assert.deepEqual(
          hello.dataflows.map((d: { uuid: string }) => d.uuid),
          [uuid],
        );
      } finally {
        socket.close();
      }

      // In a browser: the login form once, then the dashboard, the token
      // neither in the address nor readable by the page.
      if (CHROMIUM) {
        await withBrowser(async (browser) => {
          const page = await browser.newPage();
          await page.goto(`${base}/`);
          await page.fill('input[name="token"]', wrong);
          await page.click('button[type="submit"]');
          await page.waitForSelector("p.problem");
          await page.fill('input[name="token"]', token);
          await page.click('button[type="submit"]');
          await page.waitForSelector('#nodes tr[data-node="sender"]');
          assert.equal(page.url(), `${base}/`);
          assert.equal(await page.evaluate(() => document.cookie), "");
          await page.reload();
          await page.waitForSelector('#nodes tr[data-node="receiver"]');
        });
      }

      assert.ok(!ui.url.includes("token"), ui.url);
      await stopAndCheck(ui, token);
    } finally {
      await place.cleanup();
    }
  },
});

Deno.test({
  name:
    "dora foxglove off loopback: a connection needs the token (query, bearer or subprotocol; missing 401, wrong 403), which is never echoed or printed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const place = await InspectPlace.create();
    const token = testToken();
    const { bind, reach } = offLoopback();
    try {
      await place.run("pipeline.yml", ["--debug"]);
      const server = await startView(place, [
        "foxglove",
        "--host",
        bind,
        "--port",
        "0",
      ], { DORA_AUTH_TOKEN: token });
      assert.ok(!server.url.includes("token"), server.url);
      const port = Number(new URL(server.url).port);
      const proto = { "sec-websocket-protocol": FOXGLOVE };
      const wrong = testToken();

      // Refused: no token, a wrong one wherever it is, a plain request.
      assert.equal((await handshake(reach, port, "/", proto)).status, 401);
      for (
        const [path, headers] of [
          [`/?token=${wrong}`, proto],
          ["/", { ...proto, authorization: `Bearer ${wrong}` }],
          ["/", {
            "sec-websocket-protocol": `${FOXGLOVE}, dora.token.${wrong}`,
          }],
        ] as const
      ) {
        const r = await handshake(reach, port, path, headers);
        assert.equal(r.status, 403, `${path} ${JSON.stringify(headers)}`);
      }
      const plain = await fetch(`http://${reach}:${port}/`);
      assert.equal(plain.status, 401);
      await plain.body?.cancel();

      // Accepted three ways; the subprotocol answered is Foxglove's, never
      // the token.
      for (
        const [path, headers] of [
          [`/?token=${token}`, proto],
          ["/", { ...proto, authorization: `Bearer ${token}` }],
          ["/", {
            "sec-websocket-protocol": `${FOXGLOVE}, dora.token.${token}`,
          }],
        ] as const
      ) {
        const r = await handshake(reach, port, path, headers);
        assert.equal(r.status, 101, r.head);
        assert.match(
          r.head,
          new RegExp(`sec-websocket-protocol: ${FOXGLOVE}`, "i"),
        );
        assert.ok(!r.head.includes(token), r.head);
      }

      // Foxglove's own client through the address with the token (what
      // Foxglove and Lichtblick do), and through the subprotocol.
      for (
        const open of [
          () =>
            new WebSocket(`ws://${reach}:${port}/?token=${token}`, [FOXGLOVE]),
          () =>
            new WebSocket(`ws://${reach}:${port}`, [
              FOXGLOVE,
              `dora.token.${token}`,
            ]),
        ]
      ) {
        // Opened only when its client listens: nothing is missed.
        const socket = open();
        const client = new FoxgloveClient({ ws: socket });
        const numbers = new Promise<void>((resolve) =>
          client.on("advertise", (cs) => {
            if (cs.some((c) => c.topic === "sender/numbers")) resolve();
          })
        );
        const closed = new Promise<void>((r) => client.on("close", () => r()));
        try {
          await numbers;
          assert.equal(socket.protocol, FOXGLOVE);
        } finally {
          client.close();
          await closed;
        }
      }
      await stopAndCheck(server, token);
    } finally {
      await place.cleanup();
    }
  },
});
