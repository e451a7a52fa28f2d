import type { HistoryRow } from "./history-row.js";

/** What a summary line is made of: a history row's own fields. */
export type SummaryFields = Pick<
  HistoryRow,
  | "proc" | "chip_group" | "chip_number" | "has_light" | "laser_wavelength" | "laser_voltage" | "laser_period" | "duration_s"
  | "vds" | "vg" | "vg_start" | "vg_end" | "vg_step" | "vsd_start" | "vsd_end" | "vsd_step"
>;

/**
 * One line that tells a run apart in a chip's history: procedure, light (wavelength and laser
 * voltage) or dark, chip, then whichever of these the run has, always in this order: VDS (fixed or
 * swept), Vg (fixed or swept), the laser period (lit runs only), the duration. Built from the
 * fields, not from the procedure's name, so that a new procedure gets a sensible line too.
 * @example historySummary(itRow) // "It light 455 nm 3.2 V · Alisson 79 · VDS 0.1 V · Vg −0.4 V · period 120 s · 600 s"
 */
export function historySummary(run: SummaryFields): string {
  const light = run.has_light
    ? ["light", run.laser_wavelength === null ? null : `${formatNumber(run.laser_wavelength)} nm`, volts(run.laser_voltage)]
    : ["dark"];
  const parts = [
    [run.proc, ...light].filter((p) => p !== null).join(" "),
    run.chip_number === null ? null : [run.chip_group, String(run.chip_number)].filter((p) => p !== null).join(" "),
    voltage("VDS", run.vds, run.vsd_start, run.vsd_end, run.vsd_step),
    voltage("Vg", run.vg, run.vg_start, run.vg_end, run.vg_step),
    run.has_light && run.laser_period !== null ? `period ${seconds(run.laser_period)}` : null,
    run.duration_s === null ? null : seconds(run.duration_s),
  ];
  return parts.filter((p) => p !== null).join(" · ");
}

/** `VDS 0.1 V`, or a sweep `Vg −5…5 V step 0.1 V`; null when the run has neither. */
function voltage(label: string, fixed: number | null, start: number | null, end: number | null, step: number | null): string | null {
  if (fixed !== null) return `${label} ${volts(fixed)}`;
  if (start === null || end === null) return null;
  const sweep = `${label} ${formatNumber(start)}…${volts(end)}`;
  return step === null || step === 0 ? sweep : `${sweep} step ${volts(step)}`;
}

function volts(value: number | null): string | null {
  return value === null ? null : `${formatNumber(value)} V`;
}

/** Durations to the second once they are long enough that the fraction is noise. */
function seconds(value: number): string {
  return `${formatNumber(Math.abs(value) >= 10 ? Math.round(value) : value)} s`;
}

/**
 * A number as people write it: float noise dropped (6 significant digits), a true minus sign.
 * @example formatNumber(-0.30000000000000004) // "−0.3"
 */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(6))).replace("-", "\u2212");
}
