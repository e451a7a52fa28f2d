/** The prefixes a lab figure needs, from femto to kilo. */
const PREFIXES: readonly (readonly [number, string])[] = [
  [1e3, "k"], [1, ""], [1e-3, "m"], [1e-6, "µ"], [1e-9, "n"], [1e-12, "p"], [1e-15, "f"],
];

export interface SiScale {
  /** Divide a value in the base unit by this. */
  factor: number;
  /** The prefixed unit, e.g. `µA`. */
  unit: string;
}

/**
 * The SI prefix that puts the largest magnitude among `values` between 1 and 1000, so that tick
 * labels are short numbers (`12.5 µA`, not `1.25e-5 A`). No finite non-zero values: the base unit.
 * @example siScale([2.1e-5, -3e-6], "A") // { factor: 1e-6, unit: "µA" }
 */
export function siScale(values: Iterable<number>, unit: string): SiScale {
  let largest = 0;
  for (const value of values) if (Number.isFinite(value)) largest = Math.max(largest, Math.abs(value));
  if (largest === 0) return { factor: 1, unit };
  const [factor, prefix] = PREFIXES.find(([f]) => largest >= f) ?? PREFIXES[PREFIXES.length - 1] ?? [1, ""];
  return { factor, unit: `${prefix}${unit}` };
}
