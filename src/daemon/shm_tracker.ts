/**
 * Shared-memory token accounting: which receivers still hold a token, so the
 * owner gets `release` once every receiver released it, went away, or had the
 * message dropped from its queue. The daemon never maps the regions.
 *
 * @module
 */

interface TokenState {
  owner: string;
  /** receiver node → outstanding deliveries of this token */
  holders: Map<string, number>;
}

/** Tracks outstanding shared-memory tokens of one dataflow. */
export class ShmTracker {
  #tokens = new Map<string, TokenState>();
  #onRelease: (owner: string, tokens: string[]) => void;

  /** `onRelease` is called with tokens that every receiver has released. */
  constructor(onRelease: (owner: string, tokens: string[]) => void) {
    this.#onRelease = onRelease;
  }

  /** Number of tokens still held by someone. */
  get outstanding(): number {
    return this.#tokens.size;
  }

  /** Records that `receiver` got a delivery of `token` from `owner`. */
  hold(token: string, owner: string, receiver: string): void {
    let state = this.#tokens.get(token);
    if (!state) {
      state = { owner, holders: new Map() };
      this.#tokens.set(token, state);
    }
    state.holders.set(receiver, (state.holders.get(receiver) ?? 0) + 1);
  }

  /** A token that nobody received goes straight back to its owner. */
  releaseUnheld(token: string, owner: string): void {
    if (!this.#tokens.has(token)) this.#onRelease(owner, [token]);
  }

  /** `receiver` released (or dropped) one delivery of each token. */
  release(receiver: string, tokens: string[]): void {
    const done = new Map<string, string[]>();
    for (const token of tokens) {
      const state = this.#tokens.get(token);
      const n = state?.holders.get(receiver);
      if (!state || n === undefined) continue;
      if (n > 1) state.holders.set(receiver, n - 1);
      else state.holders.delete(receiver);
      if (state.holders.size === 0) {
        this.#tokens.delete(token);
        done.set(state.owner, [...(done.get(state.owner) ?? []), token]);
      }
    }
    for (const [owner, list] of done) this.#onRelease(owner, list);
  }

  /** `receiver` went away: it holds nothing any more. */
  dropReceiver(receiver: string): void {
    const held: string[] = [];
    for (const [token, state] of this.#tokens) {
      const n = state.holders.get(receiver) ?? 0;
      for (let i = 0; i < n; i++) held.push(token);
    }
    this.release(receiver, held);
  }
}
