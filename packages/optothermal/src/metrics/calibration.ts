/** A LaserCalibration run: optical power measured against laser driver voltage. */
export interface LaserCalibrationRun {
  run_id: string;
  start_time: Date;
  /** nm */
  wavelength: number;
  /** Driver voltages (V) and powers (W), pairwise; NaN points are ignored. */
  vl: readonly number[];
  power: readonly number[];
}

/** What a light run needs matched: when, which laser, how hard it was driven. */
export interface LightRun {
  start_time: Date;
  wavelength: number;
  laser_voltage: number;
}

/**
 * perfect: the latest calibration before the run, at most `staleHours` old; stale: the same but
 * older; future: none before, the earliest after; missing: no calibration at this wavelength.
 */
export type CalibrationStatus = "perfect" | "stale" | "future" | "missing";

/** The laser voltage lies outside the calibrated range: the power is the curve's end value. */
export type CalibrationFlag = "extrapolated";

export interface CalibrationMatch {
  status: CalibrationStatus;
  calibration_run_id: string | null;
  /** Run start minus calibration start (h): positive for a calibration before the run, negative for `future`. */
  age_hours: number | null;
  /** Irradiated power at the run's laser voltage (W). */
  power_w: number | null;
  flags: CalibrationFlag[];
}

export interface CalibrationOptions {
  /** Age above which a calibration before the run is `stale`; default 24 h. */
  staleHours?: number;
  /** Wavelengths closer than this are the same laser; default 0.5 nm (they are written as whole nm). */
  wavelengthToleranceNm?: number;
}

const DEFAULT_STALE_HOURS = 24;
const DEFAULT_WAVELENGTH_TOLERANCE_NM = 0.5;
const MS_PER_HOUR = 3_600_000;

/**
 * Picks the laser calibration for a light run and reads its power at the run's laser voltage.
 * Calibrations with no finite curve point are passed over, so a failed calibration cannot hide a
 * good one. A calibration started at the very time of the run counts as before it.
 * @example
 * matchCalibration({ start_time: run, wavelength: 455, laser_voltage: 2.5 }, calibrations)
 * // { status: "perfect", calibration_run_id: "…", age_hours: 3.2, power_w: 1.4e-5, flags: [] }
 */
export function matchCalibration(run: LightRun, calibrations: readonly LaserCalibrationRun[], options: CalibrationOptions = {}): CalibrationMatch {
  const tolerance = options.wavelengthToleranceNm ?? DEFAULT_WAVELENGTH_TOLERANCE_NM;
  const at = run.start_time.getTime();
  const candidates = calibrations
    .filter((c) => Math.abs(c.wavelength - run.wavelength) <= tolerance && curvePoints(c.vl, c.power).length > 0)
    .sort((a, b) => a.start_time.getTime() - b.start_time.getTime());
  const before = candidates.filter((c) => c.start_time.getTime() <= at).at(-1);
  const chosen = before ?? candidates.find((c) => c.start_time.getTime() > at);
  if (chosen === undefined) return { status: "missing", calibration_run_id: null, age_hours: null, power_w: null, flags: [] };

  const age = (at - chosen.start_time.getTime()) / MS_PER_HOUR;
  const status: CalibrationStatus = before === undefined ? "future" : age <= (options.staleHours ?? DEFAULT_STALE_HOURS) ? "perfect" : "stale";
  const { value, extrapolated } = interpolateCurve(chosen.vl, chosen.power, run.laser_voltage);
  return { status, calibration_run_id: chosen.run_id, age_hours: age, power_w: value, flags: extrapolated ? ["extrapolated"] : [] };
}

/**
 * Linear interpolation of a measured curve at `x`: points sorted by x, points with the same x
 * averaged, NaN points ignored. Outside the curve the end value is held (`extrapolated`): laser
 * power is not linear near the lasing threshold, so extending a slope would invent power.
 * @example interpolateCurve([0, 1, 2], [0, 10, 30], 1.5) // { value: 20, extrapolated: false }
 * @example interpolateCurve([0, 1, 2], [0, 10, 30], 3) // { value: 30, extrapolated: true }
 */
export function interpolateCurve(xs: readonly number[], ys: readonly number[], x: number): { value: number | null; extrapolated: boolean } {
  const points = curvePoints(xs, ys);
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined || !Number.isFinite(x)) return { value: null, extrapolated: false };
  if (x < first.x) return { value: first.y, extrapolated: true };
  if (x > last.x) return { value: last.y, extrapolated: true };
  const upper = points.findIndex((p) => p.x >= x);
  const hi = points[upper] ?? last;
  const lo = points[upper - 1];
  if (lo === undefined || hi.x === x) return { value: hi.y, extrapolated: false };
  return { value: lo.y + ((hi.y - lo.y) * (x - lo.x)) / (hi.x - lo.x), extrapolated: false };
}

/** Finite (x, y) pairs, sorted by x, duplicates of x averaged. */
function curvePoints(xs: readonly number[], ys: readonly number[]): { x: number; y: number }[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i] ?? NaN;
    const y = ys[i] ?? NaN;
    if (Number.isFinite(x) && Number.isFinite(y)) groups.set(x, [...(groups.get(x) ?? []), y]);
  }
  return [...groups]
    .map(([x, values]) => ({ x, y: values.reduce((s, v) => s + v, 0) / values.length }))
    .sort((a, b) => a.x - b.x);
}
