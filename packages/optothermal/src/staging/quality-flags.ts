/** Quality flags of an IVg sweep, from its current column. */
export interface QualityFlags {
  /** Peak |I| below 1 pA: nothing connected. */
  open_circuit: boolean;
  /** Modulation (max |I| − min |I|) / max |I| below 15 %. */
  flat: boolean;
  /** At least 95 % of the points within 1 % of the maximum |I|. */
  saturated: boolean;
}

export const OPEN_CIRCUIT_A = 1e-12;
export const FLAT_MODULATION = 0.15;
export const SATURATED_SHARE = 0.95;
export const SATURATED_BAND = 0.01;

/**
 * SQL aggregates over a table with an `i_a` column giving `peak`, `low`, `near_peak` and `n` (the
 * points with a reading); `qualityFlags` turns that row into flags.
 */
export const QUALITY_SQL =
  "max(abs(i_a)) AS peak, min(abs(i_a)) AS low, count(i_a) AS n, " +
  `count(*) FILTER (WHERE abs(i_a) >= (1 - ${SATURATED_BAND}) * (SELECT max(abs(i_a)) FROM data)) AS near_peak`;

export function qualityFlags(stats: { peak: number | null; low: number | null; n: number; nearPeak: number }): QualityFlags {
  const peak = stats.peak ?? 0;
  const low = stats.low ?? 0;
  return {
    open_circuit: peak < OPEN_CIRCUIT_A,
    flat: peak <= 0 || (peak - low) / peak < FLAT_MODULATION,
    saturated: stats.n > 0 && stats.nearPeak / stats.n >= SATURATED_SHARE,
  };
}
