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
 * The flags of a sweep from its current readings (nulls are missing readings).
 * @example ivgQuality([1e-6, 4e-7, 9e-7]) // { open_circuit: false, flat: false, saturated: false }
 */
export function ivgQuality(current: readonly (number | null)[]): QualityFlags {
  const magnitudes = current.filter((i): i is number => i !== null && !Number.isNaN(i)).map(Math.abs);
  // Loops, not Math.max(...): a long trace would overflow the argument list.
  const peak = magnitudes.length > 0 ? magnitudes.reduce((a, b) => Math.max(a, b)) : null;
  const low = magnitudes.length > 0 ? magnitudes.reduce((a, b) => Math.min(a, b)) : null;
  const nearPeak = peak === null ? 0 : magnitudes.filter((i) => i >= (1 - SATURATED_BAND) * peak).length;
  return qualityFlags({ peak, low, n: magnitudes.length, nearPeak });
}

export function qualityFlags(stats: { peak: number | null; low: number | null; n: number; nearPeak: number }): QualityFlags {
  const peak = stats.peak ?? 0;
  const low = stats.low ?? 0;
  return {
    open_circuit: peak < OPEN_CIRCUIT_A,
    flat: peak <= 0 || (peak - low) / peak < FLAT_MODULATION,
    saturated: stats.n > 0 && stats.nearPeak / stats.n >= SATURATED_SHARE,
  };
}
