import { formatNumber } from "../histories/history-summary.js";
import type { HistoryRow } from "../histories/history-row.js";

/**
 * `light` or `dark`, the word every legend uses.
 * @example illumination({ has_light: true }) // "light"
 */
export function illumination(row: Pick<HistoryRow, "has_light">): "light" | "dark" {
  return row.has_light ? "light" : "dark";
}

/**
 * A run's legend entry: seq, local date and time, then `details` (light/dark by default).
 * @example runLabel(row) // "seq 3 · 2025-10-20 10:07 · dark"
 * @example runLabel(row, "625 nm, 3.57 V") // "seq 4 · 2025-10-20 10:07 · 625 nm, 3.57 V"
 */
export function runLabel(row: HistoryRow, details: string = illumination(row)): string {
  const time = row.time_local === null ? "" : ` ${row.time_local.slice(0, 5)}`;
  return `seq ${row.seq} · ${row.date_local}${time} · ${details}`;
}

/**
 * `"<name> <value> <unit>"` when every run has the same value of `field`, else `"<name> varies"`;
 * null when no run has one. For subtitles that state the fixed conditions of a figure.
 * @example sharedCondition(runs, "vds", "VDS", "V") // "VDS 0.1 V"
 */
export function sharedCondition(runs: readonly HistoryRow[], field: "vds" | "vg" | "laser_period", name: string, unit: string): string | null {
  const values = [...new Set(runs.map((r) => r[field]).filter((v): v is number => v !== null))];
  if (values.length === 0) return null;
  return values.length === 1 && values[0] !== undefined ? `${name} ${formatNumber(values[0])} ${unit}` : `${name} varies`;
}

/**
 * A laser's wavelength as a legend entry.
 * @example wavelengthLabel(625) // "625 nm"
 */
export function wavelengthLabel(nm: number | null): string {
  return nm === null || nm === 0 ? "unknown λ" : `${formatNumber(nm)} nm`;
}
