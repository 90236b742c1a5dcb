/** The 10 MB Float32 test patterns (the same formulas as pattern.py). */

/** Number of float32 values in 10 MiB. */
export const BIG_LEN = (10 * 1024 * 1024) / 4;

/** The pattern for `seed`, as float32 values with every bit defined. */
export function pattern(seed: number): Float32Array {
  const bits = new Uint32Array(BIG_LEN);
  for (let i = 0; i < BIG_LEN; i++) {
    bits[i] = ((Math.imul(i, 2654435761) + seed) >>> 0) & 0xbf7fffff;
  }
  return new Float32Array(bits.buffer);
}

/** Whether `value` holds exactly the bits of `pattern(seed)`. */
export function matches(value: Float32Array, seed: number): boolean {
  if (value.length !== BIG_LEN) return false;
  const got = new Uint32Array(value.buffer, value.byteOffset, value.length);
  const want = new Uint32Array(pattern(seed).buffer);
  for (let i = 0; i < BIG_LEN; i++) if (got[i] !== want[i]) return false;
  return true;
}
