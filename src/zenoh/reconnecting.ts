/**
 * A zenoh session that outlives its bridge: when the WebSocket to the
 * bridge closes (the bridge died or restarted), the session is reopened on
 * the same endpoint every second and its subscribers are declared again.
 * While the bridge is gone, puts are dropped and counted instead of failing
 * the caller. Open data and the built-in zenoh nodes use it, so a bridge
 * lost mid-run costs the messages of the outage, not the publishing.
 *
 * @module
 */
import { type PutOptions, type ZenohSample, ZenohSession } from "./session.ts";

/** Pause between tries to reopen the session while the bridge is gone. */
const REOPEN_EVERY_MS = 1000;

/** What the owner hears about the bridge. */
export interface ReconnectEvents {
  /** The bridge went away; puts are dropped until it is back. */
  onLost?(endpoint: string): void;
  /** The session is open again; `dropped` puts were lost meanwhile. */
  onBack?(endpoint: string, dropped: number): void;
}

interface Subscription {
  key: string;
  onSample: (sample: ZenohSample) => void;
  current?: { undeclare(): Promise<void> };
}

/** A {@link ZenohSession} reopened whenever its bridge comes back. */
export class ReconnectingSession {
  readonly endpoint: string;
  #session: ZenohSession;
  #events: ReconnectEvents;
  #subs = new Set<Subscription>();
  #closed = false;
  /** Resolves when {@link close} is called, to cut a pause short. */
  #closing = Promise.withResolvers<void>();
  #dropped = 0;
  #reconnecting: Promise<void> = Promise.resolve();

  private constructor(session: ZenohSession, events: ReconnectEvents) {
    this.endpoint = session.endpoint;
    this.#session = session;
    this.#events = events;
    this.#reconnecting = this.#watch(session);
  }

  /**
   * Opens the first session; the bridge must be there now.
   *
   * @throws {import("./errors.ts").ZenohUnreachableError} nothing answers.
   * @throws {import("./errors.ts").ZenohVersionError} another zenoh version.
   */
  static async open(
    endpoint: string,
    events: ReconnectEvents = {},
  ): Promise<ReconnectingSession> {
    return new ReconnectingSession(await ZenohSession.open(endpoint), events);
  }

  /** Whether the bridge answers now. */
  get connected(): boolean {
    return !this.#closed && !this.#session.isClosed;
  }

  /** Puts dropped because the bridge was gone (in total). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Bytes handed to {@link put} and not yet written. */
  get queuedBytes(): number {
    return this.#session.queuedBytes;
  }

  /**
   * Publishes in call order (see {@link ZenohSession.put}). Resolves to
   * false, counted as dropped, when the bridge is gone.
   */
  async put(
    key: string,
    payload: Uint8Array,
    opts: PutOptions = {},
  ): Promise<boolean> {
    if (!this.connected) {
      this.#dropped++;
      return false;
    }
    try {
      await this.#session.put(key, payload, opts);
      return true;
    } catch {
      this.#dropped++;
      return false;
    }
  }

  /** Resolves once every put so far was written (or the bridge is gone). */
  async flush(): Promise<void> {
    const session = this.#session;
    await Promise.race([session.flush().catch(() => {}), session.closed]);
  }

  /** Subscribes to `key`, again on every new session, until undeclared. */
  async subscribe(
    key: string,
    onSample: (sample: ZenohSample) => void,
  ): Promise<{ undeclare(): Promise<void> }> {
    const sub: Subscription = { key, onSample };
    this.#subs.add(sub);
    sub.current = await this.#session.subscribe(key, onSample);
    return {
      undeclare: async () => {
        this.#subs.delete(sub);
        if (this.connected) await sub.current?.undeclare().catch(() => {});
      },
    };
  }

  /** Waits for the loss of `session`, then reopens until it works. */
  async #watch(session: ZenohSession): Promise<void> {
    await Promise.race([session.closed, this.#closing.promise]);
    if (this.#closed) return;
    this.#events.onLost?.(this.endpoint);
    const droppedBefore = this.#dropped;
    while (!this.#closed) {
      await this.#pause(REOPEN_EVERY_MS);
      if (this.#closed) return;
      let next: ZenohSession;
      try {
        next = await ZenohSession.open(this.endpoint);
      } catch {
        continue; // not back yet
      }
      if (this.#closed) {
        await next.close();
        return;
      }
      this.#session = next;
      for (const sub of this.#subs) {
        try {
          sub.current = await next.subscribe(sub.key, sub.onSample);
        } catch {
          sub.current = undefined; // lost again: the next round declares it
        }
      }
      this.#events.onBack?.(this.endpoint, this.#dropped - droppedBefore);
      this.#reconnecting = this.#watch(next);
      return;
    }
  }

  /** Sleeps `ms`, or less when the session is closed meanwhile. */
  async #pause(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise((r) => timer = setTimeout(r, ms)),
      this.#closing.promise,
    ]);
    clearTimeout(timer);
  }

  /** Closes the session and stops reconnecting (the bridge keeps running). */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.connected) {
      for (const sub of this.#subs) {
        await sub.current?.undeclare().catch(() => {});
      }
    }
    this.#closed = true;
    this.#closing.resolve();
    this.#subs.clear();
    await this.#session.close();
    // A reopen in progress closes what it opened.
    await this.#reconnecting;
  }
}
