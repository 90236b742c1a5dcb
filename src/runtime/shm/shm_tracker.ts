/**
 * Shared-memory token accounting: which receivers still hold a token, so the
 * owner gets `release` once every receiver released it, went away, or had the
 * message dropped from its queue. The daemon never maps the regions.
 *
 * It also knows which regions still have tokens out, so the regions of a
 * process that exited are unlinked as soon as nobody can read them any more
 * (a crash-looping node must not pile up regions until the dataflow ends).
 *
 * @module
 */

interface TokenState {
  owner: string;
  /** The region the token lends (when known). */
  region?: string;
  /** receiver node → outstanding deliveries of this token */
  holders: Map<string, number>;
}

/** Tracks outstanding shared-memory tokens of one dataflow. */
export class ShmTracker {
  #tokens = new Map<string, TokenState>();
  /** region → tokens of it still held by someone */
  #regionTokens = new Map<string, number>();
  /** Regions of exited processes waiting for their last token. */
  #retired = new Set<string>();
  #onRelease: (owner: string, tokens: string[]) => void;
  #onUnlink: (regions: string[]) => void;

  /**
   * `onRelease` is called with tokens that every receiver has released;
   * `onUnlink` with retired regions (see `retire`) that nobody holds any more.
   */
  constructor(
    onRelease: (owner: string, tokens: string[]) => void,
    onUnlink: (regions: string[]) => void = () => {},
  ) {
    this.#onRelease = onRelease;
    this.#onUnlink = onUnlink;
  }

  /** Number of tokens still held by someone. */
  get outstanding(): number {
    return this.#tokens.size;
  }

  /** Records that `receiver` got a delivery of `token` (of `region`) from `owner`. */
  hold(token: string, owner: string, receiver: string, region?: string): void {
    let state = this.#tokens.get(token);
    if (!state) {
      state = { owner, region, holders: new Map() };
      this.#tokens.set(token, state);
      if (region !== undefined) {
        this.#regionTokens.set(
          region,
          (this.#regionTokens.get(region) ?? 0) + 1,
        );
      }
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
    let unlink: string[] | undefined;
    for (const token of tokens) {
      const state = this.#tokens.get(token);
      const n = state?.holders.get(receiver);
      if (!state || n === undefined) continue;
      if (n > 1) state.holders.set(receiver, n - 1);
      else state.holders.delete(receiver);
      if (state.holders.size === 0) {
        this.#tokens.delete(token);
        done.set(state.owner, [...(done.get(state.owner) ?? []), token]);
        if (state.region !== undefined && this.#lastToken(state.region)) {
          (unlink ??= []).push(state.region);
        }
      }
    }
    for (const [owner, list] of done) this.#onRelease(owner, list);
    if (unlink) this.#onUnlink(unlink);
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

  /**
   * The process that created `regions` exited: each is unlinked (through
   * `onUnlink`) once no receiver holds a token of it — at once if none does.
   */
  retire(regions: Iterable<string>): void {
    const now: string[] = [];
    for (const r of regions) {
      if (this.#regionTokens.has(r)) this.#retired.add(r);
      else now.push(r);
    }
    if (now.length > 0) this.#onUnlink(now);
  }

  /** A token of `region` is gone; true when that was the last one of a retired region. */
  #lastToken(region: string): boolean {
    const left = (this.#regionTokens.get(region) ?? 1) - 1;
    if (left > 0) {
      this.#regionTokens.set(region, left);
      return false;
    }
    this.#regionTokens.delete(region);
    return this.#retired.delete(region);
  }
}
