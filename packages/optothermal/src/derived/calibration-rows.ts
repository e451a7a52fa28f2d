import type { DuckDBConnection } from "@duckdb/node-api";
import { matchCalibration, type CalibrationMatch, type LaserCalibrationRun } from "../metrics/calibration.js";
import type { ManifestRow } from "../staging/manifest-row.js";
import { firstLine } from "./error-text.js";
import type { MetricDraft } from "./metric-row.js";
import { readRunColumns } from "./read-run-columns.js";

export const CALIBRATION_PROCEDURE = "LaserCalibration";
export const CALIBRATION_METHOD = "matchCalibration+interpolateCurve";
export const CALIBRATION_VERSION = "1.0.0";

/**
 * Every LaserCalibration run of the manifest with its power curve. A calibration that cannot be
 * used (no start time or wavelength, unreadable data) is left out with a warning: it must not stop
 * the other runs' matches.
 * @example await readCalibrations(connection, manifest, console.warn) // [{ run_id, start_time, wavelength: 455, vl: […], power: […] }]
 */
export async function readCalibrations(
  connection: DuckDBConnection, manifest: readonly ManifestRow[], warn: (message: string) => void,
): Promise<LaserCalibrationRun[]> {
  const calibrations: LaserCalibrationRun[] = [];
  for (const run of manifest.filter((r) => r.proc === CALIBRATION_PROCEDURE)) {
    if (run.start_time_utc === null || run.laser_wavelength === null) {
      warn(`calibration ${run.source_path} has no ${run.start_time_utc === null ? "start time" : "wavelength"}: not used for matching`);
      continue;
    }
    try {
      const data = await readRunColumns(connection, run.parquet_path, ["vl_v", "power_w"]);
      calibrations.push({ run_id: run.run_id, start_time: run.start_time_utc, wavelength: run.laser_wavelength, vl: data.vl_v ?? [], power: data.power_w ?? [] });
    } catch (error) {
      warn(`calibration ${run.source_path} cannot be read (${firstLine(error)}): not used for matching; restage it with stage-all --force`);
    }
  }
  return calibrations;
}

/**
 * The calibration match of a light run, or null when the run cannot be matched at all (no start time,
 * wavelength or laser voltage): the caller records that as `missing`.
 */
export function matchLightRun(run: ManifestRow, calibrations: readonly LaserCalibrationRun[], staleHours: number): CalibrationMatch | null {
  if (run.start_time_utc === null || run.laser_wavelength === null || run.laser_voltage === null) return null;
  return matchCalibration({ start_time: run.start_time_utc, wavelength: run.laser_wavelength, laser_voltage: run.laser_voltage }, calibrations, { staleHours });
}

/**
 * `irradiated_power` (W): the matched calibration's curve at the run's laser voltage, the match in
 * `value_json` ({ status, calibration_run_id, age_hours }), flagged `calibration_<status>` unless perfect,
 * `extrapolated` outside the calibrated range, `no_laser_parameters` when the run cannot be matched.
 * @example calibrationDraft(match).flags // ["calibration_stale"]
 */
export function calibrationDraft(match: CalibrationMatch | null): MetricDraft {
  const m = match ?? { status: "missing", calibration_run_id: null, age_hours: null, power_w: null, flags: [] };
  const flags = [...(m.status === "perfect" ? [] : [`calibration_${m.status}`]), ...m.flags, ...(match === null ? ["no_laser_parameters"] : [])];
  return {
    metric_name: "irradiated_power",
    value_float: m.power_w,
    value_json: JSON.stringify({ status: m.status, calibration_run_id: m.calibration_run_id, age_hours: m.age_hours }),
    unit: "W",
    confidence: null,
    flags,
  };
}
