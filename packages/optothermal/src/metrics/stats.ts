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
  // The window's finite values, kept sorted as it slides: each step inserts one value and removes one.
  const window: number[] = [];
  const insert = (v: number) => Number.isFinite(v) && window.splice(lowerBound(window, v), 0, v);
  const remove = (v: number) => Number.isFinite(v) && window.splice(lowerBound(window, v), 1);
  for (let i = 0; i < Math.min(half, values.length); i++) insert(values[i] ?? NaN);
  return values.map((_, i) => {
    if (i + half < values.length) insert(values[i + half] ?? NaN);
    if (i - half - 1 >= 0) remove(values[i - half - 1] ?? NaN);
    const n = window.length;
    if (n === 0) return NaN;
    const mid = Math.floor(n / 2);
    return n % 2 === 1 ? (window[mid] ?? NaN) : ((window[mid - 1] ?? NaN) + (window[mid] ?? NaN)) / 2;
  });
}

/** The first index of `sorted` whose value is not below `v`. */
function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? Infinity) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The median of the finite values, or null when there are none (a metric that could not be measured). */
export function medianOrNull(values: readonly (number | null)[]): number | null {
  const m = median(values.filter((v): v is number => v !== null));
  return Number.isFinite(m) ? m : null;
}
