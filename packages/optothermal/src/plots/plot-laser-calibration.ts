import path from "node:path";
import { ValidationError } from "pipewright";
import type { TopLevelSpec } from "vega-lite";
import { DEFAULT_MANIFEST_PATH } from "../histories/build-histories.js";
import { queryRows } from "../staging/query-parquet.js";
import { sqlString } from "../staging/sql.js";
import { plotFormat, type PlotResult } from "./chip-plot.js";
import type { PlotFormat } from "./render.js";
import { readRunData } from "./load-run-data.js";
import { wavelengthLabel } from "./run-labels.js";
import { siScale } from "./si-scale.js";
import { PLOT_HEIGHT, PLOT_WIDTH, wavelengthColor } from "./theme.js";
import { DEFAULT_PLOTS_DIR, writePlot } from "./write-plot.js";
import { fileExists } from "../file-exists.js";

export interface LaserCalibrationPlotOptions {
  manifestPath?: string;
  /** Only the calibrations of these local dates (`YYYY-MM-DD`). */
  dates?: readonly string[];
  /** Without `dates`, only the latest this many calibrations are drawn. */
  maxRuns?: number;
  format?: PlotFormat;
  /** The file to write; `<plotsDir>/laser/laser_calibration.<format>` by default. */
  output?: string;
  plotsDir?: string;
}

/** Twelve curves in six colours and two or three dash styles are still readable. */
export const LASER_CALIBRATION_MAX_RUNS = 12;

interface CalibrationRun {
  run_id: string;
  parquet_path: string;
  laser_wavelength: number | null;
  date_local: string;
}

/**
 * Every laser calibration in the manifest (calibrations belong to no chip): optical power against
 * laser voltage, one curve per run, coloured by wavelength and dashed by date.
 * @example await plotLaserCalibration({ dates: ["2025-10-20"], format: "png" }) // { path: "/…/data/04_plots/laser/laser_calibration.png", ... }
 */
export async function plotLaserCalibration(options: LaserCalibrationPlotOptions = {}): Promise<PlotResult> {
  const format = plotFormat(options);
  const all = await readCalibrationRuns(options.manifestPath ?? DEFAULT_MANIFEST_PATH);
  const notes: string[] = [];
  let runs = all;
  if (options.dates !== undefined) {
    runs = all.filter((r) => options.dates?.includes(r.date_local));
    if (runs.length === 0) {
      const known = [...new Set(all.map((r) => r.date_local))].join(", ");
      throw new ValidationError(`no laser calibration on ${options.dates.join(", ")}: calibrations were made on ${known}`);
    }
  } else if (all.length > (options.maxRuns ?? LASER_CALIBRATION_MAX_RUNS)) {
    runs = all.slice(-(options.maxRuns ?? LASER_CALIBRATION_MAX_RUNS));
    notes.push(`showing the latest ${runs.length} of ${all.length} calibrations (from ${runs[0]?.date_local}); pick dates with --date`);
  }
  const data = await readRunData(runs, ["vl_v", "power_w"]);
  const target = options.output ?? path.join(options.plotsDir ?? DEFAULT_PLOTS_DIR, "laser", `laser_calibration.${format}`);
  return { plot: "laser-calibration", chip: "laser", path: await writePlot(calibrationSpec(runs, data), format, target), seqs: [], notes };
}

/** The manifest's LaserCalibration runs in start order. */
async function readCalibrationRuns(manifestPath: string): Promise<CalibrationRun[]> {
  const file = path.resolve(manifestPath);
  if (!(await fileExists(file))) throw new ValidationError(`no manifest at ${file}: run stage-all first`);
  const rows = await queryRows(
    `SELECT run_id, parquet_path, laser_wavelength, date_local FROM read_parquet(${sqlString(file)})
     WHERE proc = 'LaserCalibration' ORDER BY start_time_utc NULLS FIRST, run_id`,
  );
  if (rows.length === 0) throw new ValidationError(`the manifest at ${file} has no LaserCalibration runs: stage the calibration files first`);
  return rows as unknown as CalibrationRun[];
}

function calibrationSpec(runs: readonly CalibrationRun[], data: readonly Record<string, unknown>[]): TopLevelSpec {
  const power = siScale(data.map((d) => d.power_w as number), "W");
  const byRun = new Map(runs.map((r) => [r.run_id, r]));
  const values = data.map((d, k) => {
    const run = byRun.get(d.run_id as string);
    return { k, run: d.run_id, vl: d.vl_v, power: (d.power_w as number) / power.factor, nm: wavelengthLabel(run?.laser_wavelength ?? null), date: run?.date_local };
  });
  const wavelengths = [...new Set(runs.map((r) => r.laser_wavelength))].sort((a, b) => (a ?? 0) - (b ?? 0));
  const encoding = {
    x: { field: "vl", type: "quantitative", title: "Laser voltage VL (V)" },
    y: { field: "power", type: "quantitative", title: `Optical power P (${power.unit})` },
    color: {
      field: "nm",
      type: "nominal",
      title: "Wavelength",
      scale: { domain: wavelengths.map(wavelengthLabel), range: wavelengths.map((nm) => wavelengthColor(nm ?? 0)) },
    },
    detail: { field: "run" },
  } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Laser calibrations · optical power vs laser voltage", subtitle: `${runs.length} calibration run(s), ${runs[0]?.date_local} to ${runs[runs.length - 1]?.date_local}` },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: "line", strokeWidth: 1.6 },
        encoding: { ...encoding, strokeDash: { field: "date", type: "nominal", title: "Date", legend: { symbolType: "stroke", symbolStrokeColor: "#222222" } }, order: { field: "k", type: "quantitative" } },
      },
      { mark: { type: "point", size: 16 }, encoding },
    ],
  };
}
