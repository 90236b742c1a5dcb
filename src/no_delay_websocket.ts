/**
 * A WebSocket client that writes each frame in one write on a socket with
 * TCP_NODELAY. Deno's WebSocket does neither: it writes a frame over 1 KiB
 * as two writes (header, then payload) on a socket without no-delay, so the
 * kernel holds the payload until the peer acknowledges the header, which it
 * delays by up to 40 ms (Nagle's algorithm meeting delayed ACKs): ~20 ms
 * per 4 KB message to a zenoh bridge, 44 ms per control request over 1 KiB
 * to a coordinator.
 *
 * Only what zenoh-ts and the control links use of a WebSocket: `ws://`
 * URLs, request headers, binary and text messages, `on*` handlers and
 * listeners, `readyState`, `bufferedAmount`, `send`, `close`.
 *
 * @module
 */

const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Largest message taken from the bridge (a bigger one closes the socket). */
const MAX_MESSAGE_BYTES = 1 << 30;
/** How long a closing handshake may take before the socket is cut. */
const CLOSE_TIMEOUT_MS = 1000;
/** Frames waiting together up to this size go out in one write. */
const COALESCE_BYTES = 256 * 1024;

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A client WebSocket whose frames leave without Nagle's delay. */
export class NoDelayWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly url: string;
  binaryType: BinaryType = "blob";
  readyState = NoDelayWebSocket.CONNECTING;
  /** Bytes handed to {@link send} and not yet written. */
  bufferedAmount = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  #conn?: Deno.TcpConn;
  #pending: Uint8Array[] = [];
  #writing = false;
  #closeSent = false;

  #headers: Record<string, string>;

  /** `headers`: extra request headers of the opening handshake. */
  constructor(
    url: string | URL,
    opts: { headers?: Record<string, string> } = {},
  ) {
    super();
    this.url = String(url);
    this.#headers = opts.headers ?? {};
    this.#run();
  }

  /** Queues one message (a string goes as text, bytes as binary). */
  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState === NoDelayWebSocket.CONNECTING) {
      throw new DOMException(
        "the WebSocket is not open yet",
        "InvalidStateError",
      );
    }
    if (this.readyState !== NoDelayWebSocket.OPEN) return;
    const [op, bytes] = typeof data === "string"
      ? [OP_TEXT, encoder.encode(data)]
      : ArrayBuffer.isView(data)
      ? [
        OP_BINARY,
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      ]
      : [OP_BINARY, new Uint8Array(data)];
    this.#queue(clientFrame(op, bytes));
  }

  /** Starts the closing handshake (or gives up connecting). */
  close(code = 1000, reason = ""): void {
    if (this.readyState >= NoDelayWebSocket.CLOSING) return;
    const connecting = this.readyState === NoDelayWebSocket.CONNECTING;
    this.readyState = NoDelayWebSocket.CLOSING;
    if (connecting) return; // #run sees CLOSING once connected
    this.#sendClose(code, reason);
    setTimeout(() => this.#cut(), CLOSE_TIMEOUT_MS);
  }

  async #run(): Promise<void> {
    let code = 1006;
    let reason = "";
    let failed = false;
    try {
      const conn = await this.#connect();
      const reader = new ByteReader(conn);
      await this.#handshake(conn, reader);
      if (this.readyState !== NoDelayWebSocket.CONNECTING) return;
      this.readyState = NoDelayWebSocket.OPEN;
      this.#emit("open", new Event("open"), this.onopen);
      [code, reason] = await this.#readMessages(reader);
    } catch {
      failed = this.readyState !== NoDelayWebSocket.CLOSING;
    } finally {
      this.#cut();
      this.readyState = NoDelayWebSocket.CLOSED;
      if (failed) this.#emit("error", new Event("error"), this.onerror);
      const ev = new CloseEvent("close", {
        code,
        reason,
        wasClean: code !== 1006,
      });
      this.#emit("close", ev, this.onclose);
    }
  }

  async #connect(): Promise<Deno.TcpConn> {
    const u = new URL(this.url);
    if (u.protocol !== "ws:") {
      throw new Error(`only ws:// URLs are supported, not ${this.url}`);
    }
    const conn = await Deno.connect({
      hostname: u.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(u.port || 80),
    });
    conn.setNoDelay(true);
    this.#conn = conn;
    return conn;
  }

  async #handshake(conn: Deno.TcpConn, reader: ByteReader): Promise<void> {
    const u = new URL(this.url);
    const key = btoa(
      String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
    );
    await writeAll(
      conn,
      encoder.encode(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
          "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          Object.entries(this.#headers).map(([k, v]) => `${k}: ${v}\r\n`)
            .join("") +
          "\r\n",
      ),
    );
    const head = await reader.httpHead();
    const digest = await crypto.subtle.digest(
      "SHA-1",
      encoder.encode(key + ACCEPT_GUID),
    );
    const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
    if (
      !/^HTTP\/1\.1 101\b/.test(head) ||
      !new RegExp(`^sec-websocket-accept:\\s*${escape(accept)}\\s*$`, "im")
        .test(head)
    ) {
      throw new Error(`not a WebSocket upgrade: ${head.split("\r\n")[0]}`);
    }
  }

  /** Delivers messages until the close frame; its code and reason. */
  async #readMessages(reader: ByteReader): Promise<[number, string]> {
    let parts: Uint8Array[] = [];
    let partsOp = OP_BINARY;
    let size = 0;
    while (true) {
      const frame = await reader.frame();
      if (frame.op === OP_CLOSE) {
        const p = frame.payload;
        const code = p.byteLength >= 2 ? (p[0] << 8) | p[1] : 1005;
        const reason = decoder.decode(p.subarray(2));
        if (this.readyState === NoDelayWebSocket.OPEN) {
          this.readyState = NoDelayWebSocket.CLOSING;
          this.#sendClose(code === 1005 ? 1000 : code, "");
        }
        await this.#drained();
        return [code, reason];
      }
      if (frame.op === OP_PING) {
        this.#queue(clientFrame(0xa, frame.payload));
        continue;
      }
      if (frame.op > OP_BINARY) continue; // pong
      if (frame.op !== OP_CONTINUATION) partsOp = frame.op;
      size += frame.payload.byteLength;
      if (size > MAX_MESSAGE_BYTES) {
        throw new Error(`a message over ${MAX_MESSAGE_BYTES} bytes`);
      }
      parts.push(frame.payload);
      if (!frame.fin) continue;
      const bytes = parts.length === 1 ? parts[0] : concat(parts, size);
      parts = [];
      size = 0;
      if (this.readyState !== NoDelayWebSocket.OPEN) continue;
      const data = partsOp === OP_TEXT
        ? decoder.decode(bytes)
        : this.binaryType === "arraybuffer"
        ? ownBuffer(bytes)
        : new Blob([ownBuffer(bytes)]);
      this.#emit(
        "message",
        new MessageEvent("message", { data }),
        this.onmessage,
      );
    }
  }

  #emit<E extends Event>(
    type: string,
    ev: E,
    handler: ((ev: E) => void) | null,
  ): void {
    try {
      handler?.call(this, ev);
    } catch (err) {
      console.error(`WebSocket ${type} handler:`, err);
    }
    this.dispatchEvent(ev);
  }

  #sendClose(code: number, reason: string): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    const r = encoder.encode(reason);
    const p = new Uint8Array(2 + r.byteLength);
    p[0] = code >> 8;
    p[1] = code & 0xff;
    p.set(r, 2);
    this.#queue(clientFrame(OP_CLOSE, p));
  }

  #queue(frame: Uint8Array): void {
    this.#pending.push(frame);
    this.bufferedAmount += frame.byteLength;
    if (!this.#writing) this.#write();
  }

  /** Writes the queued frames, small ones waiting together in one write. */
  async #write(): Promise<void> {
    const conn = this.#conn;
    if (!conn) return;
    this.#writing = true;
    try {
      while (this.#pending.length) {
        let n = 1;
        let bytes = this.#pending[0].byteLength;
        while (
          n < this.#pending.length &&
          bytes + this.#pending[n].byteLength <= COALESCE_BYTES
        ) bytes += this.#pending[n++].byteLength;
        const batch = this.#pending.splice(0, n);
        await writeAll(conn, n === 1 ? batch[0] : concat(batch, bytes));
        this.bufferedAmount -= bytes;
      }
    } catch {
      this.#pending = [];
      this.bufferedAmount = 0;
      this.#cut();
    } finally {
      this.#writing = false;
    }
  }

  /** Resolves once the queued frames are written (or dropped). */
  async #drained(): Promise<void> {
    while (this.#writing || this.#pending.length) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  #cut(): void {
    try {
      this.#conn?.close();
    } catch {
      // closed already
    }
  }
}

/** A masked client frame, header and payload in one buffer. */
export function clientFrame(op: number, payload: Uint8Array): Uint8Array {
  const n = payload.byteLength;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const head = 2 + lengthBytes + 4;
  // The payload starts 4-aligned, so it is masked a word at a time.
  const pad = (4 - (head % 4)) % 4;
  const buf = new Uint8Array(pad + head + n);
  const f = buf.subarray(pad);
  f[0] = 0x80 | op;
  if (lengthBytes === 0) f[1] = 0x80 | n;
  else if (lengthBytes === 2) {
    f[1] = 0x80 | 126;
    f[2] = n >> 8;
    f[3] = n & 0xff;
  } else {
    f[1] = 0x80 | 127;
    new DataView(buf.buffer, pad + 2, 8).setBigUint64(0, BigInt(n));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  f.set(mask, 2 + lengthBytes);
  f.set(payload, head);
  const start = pad + head;
  const words = n >> 2;
  const key = new Uint32Array(mask.buffer)[0];
  const w = new Uint32Array(buf.buffer, start, words);
  for (let i = 0; i < words; i++) w[i] ^= key;
  for (let i = words << 2; i < n; i++) buf[start + i] ^= mask[i & 3];
  return f;
}

/** Buffered reads of the HTTP response head and of frames. */
class ByteReader {
  #conn: Deno.Conn;
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The response head up to the empty line (what follows stays buffered). */
  async httpHead(): Promise<string> {
    while (true) {
      const text = decoder.decode(this.#buf.subarray(this.#start, this.#end));
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        this.#start += end + 4; // the head is ASCII: chars are bytes
        return text.slice(0, end);
      }
      if (this.#end - this.#start > 16 * 1024) {
        throw new Error("an HTTP response head over 16 KiB");
      }
      await this.#fill(this.#end - this.#start + 1);
    }
  }

  async frame(): Promise<{ fin: boolean; op: number; payload: Uint8Array }> {
    await this.#fill(2);
    const b0 = this.#buf[this.#start];
    const b1 = this.#buf[this.#start + 1];
    let n = b1 & 0x7f;
    let head = 2;
    if (n === 126) {
      await this.#fill(4);
      n = (this.#buf[this.#start + 2] << 8) | this.#buf[this.#start + 3];
      head = 4;
    } else if (n === 127) {
      await this.#fill(10);
      const big = new DataView(this.#buf.buffer, this.#start + 2, 8)
        .getBigUint64(0);
      if (big > BigInt(MAX_MESSAGE_BYTES)) {
        throw new Error(`a frame of ${big} bytes`);
      }
      n = Number(big);
      head = 10;
    }
    let mask: Uint8Array | undefined;
    if (b1 & 0x80) {
      await this.#fill(head + 4);
      mask = this.#buf.slice(this.#start + head, this.#start + head + 4);
      head += 4;
    }
    this.#start += head;
    const payload = await this.#take(n);
    if (mask) { for (let i = 0; i < n; i++) payload[i] ^= mask[i & 3]; }
    return { fin: (b0 & 0x80) !== 0, op: b0 & 0x0f, payload };
  }

  /** The next `n` bytes, in an array of their own. */
  async #take(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = Math.min(n, this.#end - this.#start);
    out.set(this.#buf.subarray(this.#start, this.#start + got));
    this.#start += got;
    while (got < n) {
      const r = await this.#conn.read(out.subarray(got));
      if (r === null) throw new Error("connection closed");
      got += r;
    }
    return out;
  }

  /** Makes at least `n` bytes available from #start. */
  async #fill(n: number): Promise<void> {
    if (this.#start + n > this.#buf.byteLength) {
      const next = new Uint8Array(Math.max(this.#buf.byteLength, n));
      next.set(this.#buf.subarray(this.#start, this.#end));
      this.#end -= this.#start;
      this.#start = 0;
      this.#buf = next;
    }
    while (this.#end - this.#start < n) {
      const r = await this.#conn.read(this.#buf.subarray(this.#end));
      if (r === null) throw new Error("connection closed");
      this.#end += r;
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.byteLength;) {
    off += await conn.write(bytes.subarray(off));
  }
}

/** The bytes as an ArrayBuffer, without a copy when they fill theirs. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const b = bytes.buffer as ArrayBuffer;
  return bytes.byteOffset === 0 && bytes.byteLength === b.byteLength
    ? b
    : b.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
