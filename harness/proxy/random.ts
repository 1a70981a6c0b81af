/**
 * A seeded source for toxicity rolls, jitter and slice sizes, so a run's fault decisions can be
 * replayed (Toxiproxy's -seed flag is a no-op). mulberry32: tiny, fast, and good enough for
 * choosing which connections a toxic hits; not for anything cryptographic.
 */

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
