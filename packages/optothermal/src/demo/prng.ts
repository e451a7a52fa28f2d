/** A small seeded PRNG (mulberry32): demo data must be byte-identical for a seed, so no Math.random. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(min: number, max: number): number;
  /** Gaussian, truncated at ±3σ so that a rare draw cannot break a file's physics. */
  normal(mean: number, sd: number): number;
  pick<T>(items: readonly T[]): T;
}

/**
 * A stream keyed by seed and label: each file draws from its own stream, so adding a file or
 * reordering the plan leaves every other file's bytes unchanged.
 */
export function createRng(seed: number, label: string): Rng {
  let state = hash(`${seed}:${label}`);
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    normal: (mean, sd) => {
      // Box–Muller; 1 - next() keeps the logarithm's argument in (0, 1].
      const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return mean + sd * Math.max(-3, Math.min(3, z));
    },
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError("pick from an empty list");
      return item;
    },
  };
  return rng;
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
