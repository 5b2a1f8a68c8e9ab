/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number;

/**
 * A small deterministic PRNG (mulberry32). The same seed gives the same sequence, so `faultRate` failures happen on
 * the same requests in every run.
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
