/**
 * A small seeded PRNG (mulberry32). Generators take their randomness only from here, so a scenario
 * with the same seed makes the same schedule and keys on every machine.
 */

export type Random = () => number;

/** Returns a function yielding uniform floats in [0, 1), fully determined by the seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponentially distributed gap with the given mean, for Poisson arrivals. */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}
