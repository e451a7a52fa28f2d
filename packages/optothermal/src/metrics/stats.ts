/**
 * Median of the finite values; NaN when there are none.
 * @example median([3, 1, NaN, 2]) // 2
 */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/**
 * Centred running median over `width` points (shrunk at the ends). A median rather than a mean:
 * it removes single-point spikes and leaves a monotonic stretch (a step's edge) untouched.
 * @example movingMedian([1, 9, 1, 1, 1], 3) // [5, 1, 1, 1, 1]
 */
export function movingMedian(values: readonly number[], width: number): number[] {
  const half = Math.floor(width / 2);
  return values.map((_, i) => median(values.slice(Math.max(0, i - half), i + half + 1)));
}

/** The median of the finite values, or null when there are none (a metric that could not be measured). */
export function medianOrNull(values: readonly (number | null)[]): number | null {
  const m = median(values.filter((v): v is number => v !== null));
  return Number.isFinite(m) ? m : null;
}
