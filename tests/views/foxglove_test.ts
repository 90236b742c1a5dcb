/**
 * `dora foxglove` against a real `dora run`, through the
 * `@foxglove/ws-protocol` client: channels advertised with schemas from
 * the Arrow types, images as `foxglove.RawImage`, decoded values, the size
 * cap said in a status, node parameters read and set, unsubscribe releasing
 * the tap, both subprotocols,
 * and a client killed mid-stream leaving nothing behind.
 *
 * @module
 */
import assert from "node:assert/strict";
import foxglove from "@foxglove/ws-protocol";
import type {
  Channel,
  MessageData,
  ParameterValues,
  ServerInfo,
  StatusMessage,
} from "@foxglove/ws-protocol";
import { eventually, type InspectPlace } from "../_support/inspect.ts";
import { startView, viewsPlace } from "../_support/views.ts";

const { FoxgloveClient } = foxglove;

/** A Foxglove client with what it received so far. */
class Client {
  readonly client: InstanceType<typeof FoxgloveClient>;
  readonly ws: WebSocket;
  info?: ServerInfo;
  channels: Channel[] = [];
  statuses: StatusMessage[] = [];
  messages: MessageData[] = [];
  parameters: ParameterValues[] = [];
  closed: Promise<void>;

  constructor(url: string, protocol = FoxgloveClient.SUPPORTED_SUBPROTOCOL) {
    this.ws = new WebSocket(url, [protocol]);
    this.client = new FoxgloveClient({ ws: this.ws });
    this.client.on("serverInfo", (i) => this.info = i);
    this.client.on("advertise", (c) => this.channels.push(...c));
    this.client.on("status", (s) => this.statuses.push(s));
    this.client.on("message", (m) => this.messages.push(m));
    this.client.on("parameterValues", (p) => this.parameters.push(p));
    this.closed = new Promise((r) => this.client.on("close", () => r()));
  }

  channel(topic: string): Channel {
    const c = this.channels.find((c) => c.topic === topic);
    assert.ok(
      c,
      `no channel "${topic}" in ${this.channels.map((c) => c.topic)}`,
    );
    return c;
  }

  /** The decoded JSON messages of subscription `id`. */
  json(id: number): unknown[] {
    return this.messages.filter((m) => m.subscriptionId === id).map((m) =>
      JSON.parse(
        new TextDecoder().decode(
          new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength),
        ),
      )
    );
  }

  async close(): Promise<void> {
    this.client.close();
    await this.closed;
  }
}

interface TopicRow {
  topic: string;
  taps: number;
}

async function taps(place: InspectPlace, topic: string): Promise<number> {
  const list = await place.json<TopicRow[]>(["topic", "list"]);
  return list.find((t) => t.topic === topic)!.taps;
}

Deno.test({
  name:
    "dora foxglove advertises every output with its schema, streams decoded values and images, caps sizes, gets and sets node params, releases taps",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const place = await viewsPlace();
    try {
      const run = await place.run("views.yml", ["--debug"]);
      const server = await startView(place, [
        "foxglove",
        "--port",
        "0",
        "--max-message-bytes",
        "65536",
      ]);
      assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
      const c = new Client(server.url);
      try {
        const info = await eventually(
          "serverInfo",
          () => Promise.resolve(c.info),
        );
        assert.ok(info.capabilities.includes("parameters"));
        assert.ok(info.capabilities.includes("connectionGraph"));
        assert.equal(c.ws.protocol, "foxglove.websocket.v1");
        await eventually(
          "every output advertised",
          () => Promise.resolve(c.channels.length >= 4 ? true : undefined),
        );
        assert.deepEqual(
          c.channels.map((ch) => ch.topic).sort(),
          [
            "bulk/blob",
            "camera/image",
            "sender/numbers",
            "sender/point",
          ].sort(),
        );
        for (const ch of c.channels) assert.equal(ch.encoding, "json");

        // Schemas from the Arrow types.
        const numbers = c.channel("sender/numbers");
        assert.equal(numbers.schemaName, "dora.Value");
        assert.deepEqual(
          JSON.parse(numbers.schema).properties.data,
          { type: "array", items: { type: "number" } },
        );
        const point = c.channel("sender/point");
        assert.deepEqual(
          JSON.parse(point.schema).properties.data.items.properties,
          { x: { type: "number" }, y: { type: "number" } },
        );
        const image = c.channel("camera/image");
        assert.equal(image.schemaName, "foxglove.RawImage");
        const blob = c.channel("bulk/blob");
        assert.equal(blob.schemaName, "dora.Bytes");

        // Decoded values.
        const subNumbers = c.client.subscribe(numbers.id);
        const values = await eventually("numbers", () => {
          const got = c.json(subNumbers) as { data: number[] }[];
          return Promise.resolve(got.length >= 5 ? got : undefined);
        });
        for (const v of values) {
          assert.equal(v.data.length, 2);
          assert.equal(v.data[1], v.data[0]! % 7);
        }
        assert.ok(values[4]!.data[0]! > values[0]!.data[0]!);
        const subPoint = c.client.subscribe(point.id);
        const p = await eventually("a point", () =>
          Promise.resolve(
            (c.json(subPoint) as { data: { x: number; y: number }[] }[])[0],
          ));
        assert.equal(p.data[0]!.x, -p.data[0]!.y % 100);

        // An image as foxglove.RawImage.
        const subImage = c.client.subscribe(image.id);
        const frame = await eventually("an image", () =>
          Promise.resolve(
            (c.json(subImage) as Record<string, unknown>[])[0],
          ));
        assert.equal(frame.width, 8);
        assert.equal(frame.height, 6);
        assert.equal(frame.encoding, "rgb8");
        assert.equal(frame.step, 24);
        assert.equal(frame.frame_id, "camera");
        const pixels = Uint8Array.fromBase64(frame.data as string);
        assert.equal(pixels.length, 8 * 6 * 3);
        assert.equal(pixels.filter((b) => b === 255).length, 1);

        // A 1 MiB message over the 64 KiB cap: skipped, and said.
        c.client.subscribe(blob.id);
        const note = await eventually(
          "a note about the cap",
          () =>
            Promise.resolve(
              c.statuses.find((s) =>
                s.message.includes('"bulk/blob"') &&
                s.message.includes("larger than 65536")
              ),
            ),
        );
        assert.equal(note.level, 1);

        // Node parameters: read, set through the param store (the node
        // is told), read again.
        c.client.getParameters([], "all");
        const all = await eventually(
          "parameterValues",
          () => Promise.resolve(c.parameters.find((p) => p.id === "all")),
        );
        assert.deepEqual(all.parameters, [{ name: "sender.scale", value: 1 }]);
        c.client.setParameters([{ name: "sender.scale", value: 2.5 }], "set");
        const set = await eventually(
          "parameterValues after set",
          () => Promise.resolve(c.parameters.find((p) => p.id === "set")),
        );
        assert.deepEqual(set.parameters, [{
          name: "sender.scale",
          value: 2.5,
        }]);
        await run.waitForLine(/param scale = 2\.5/);
        c.client.setParameters([{ name: "ghost.speed", value: 1 }]);
        const refused = await eventually(
          "a status about the ghost",
          () =>
            Promise.resolve(
              c.statuses.find((s) => s.message.includes('"ghost.speed"')),
            ),
        );
        assert.equal(refused.level, 2);
        assert.match(refused.message, /no node "ghost"/);

        // Unsubscribing releases the dataflow's tap.
        assert.equal(await taps(place, "sender/numbers"), 1);
        c.client.unsubscribe(subNumbers);
        await eventually(
          "the tap released",
          async () =>
            (await taps(place, "sender/numbers")) === 0 ? true : undefined,
        );
      } finally {
        await c.close();
      }

      // The SDK's subprotocol name works too.
      const sdk = new Client(server.url, "foxglove.sdk.v1");
      try {
        await eventually(
          "serverInfo over foxglove.sdk.v1",
          () => Promise.resolve(sdk.info),
        );
        assert.equal(sdk.ws.protocol, "foxglove.sdk.v1");
      } finally {
        await sdk.close();
      }
      // Every tap of the closed clients is gone.
      await eventually("no tap left", async () => {
        const list = await place.json<TopicRow[]>(["topic", "list"]);
        return list.every((t) => t.taps === 0) ? true : undefined;
      });
      await server.stop();
    } finally {
      await place.cleanup();
    }
  },
});

Deno.test({
  name:
    "dora foxglove: a client killed mid-stream leaves no tap, the server serves the next one",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const place = await viewsPlace();
    try {
      await place.run("views.yml", ["--debug"]);
      const server = await startView(place, ["foxglove", "--port", "0"]);
      // A client in a process of its own, killed with SIGKILL.
      const script = `
        import foxglove from "@foxglove/ws-protocol";
        const c = new foxglove.FoxgloveClient({
          ws: new WebSocket(${
        JSON.stringify(server.url)
      }, ["foxglove.websocket.v1"]),
        });
        c.on("advertise", (chs) => {
          for (const ch of chs) c.subscribe(ch.id);
        });
        let n = 0;
        c.on("message", () => { if (++n === 20) console.log("streaming"); });
      `;
      const proc = new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          "--config",
          new URL("../../deno.json", import.meta.url).pathname,
          script,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = proc.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      let out = "";
      while (!out.includes("streaming")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the client ended early: ${out}`);
        out += value;
      }
      assert.ok((await taps(place, "sender/numbers")) >= 1);
      proc.kill("SIGKILL");
      await proc.status;
      reader.releaseLock();
      await proc.stdout.cancel().catch(() => {});
      await eventually("no tap left after the kill", async () => {
        const list = await place.json<TopicRow[]>(["topic", "list"]);
        return list.every((t) => t.taps === 0) ? true : undefined;
      });
      // The server still serves.
      const c = new Client(server.url);
      try {
        await eventually(
          "a new client served",
          () => Promise.resolve(c.channels.length > 0 ? true : undefined),
        );
      } finally {
        await c.close();
      }
      await server.stop();
    } finally {
      await place.cleanup();
    }
  },
});
