import { ValidationError } from "pipewright";
import type { TopLevelSpec } from "vega-lite";
import { selectChipRuns, writeChipPlot, type ChipPlotKind, type ChipPlotOptions, type PlotResult } from "./chip-plot.js";
import { DEFAULT_METRICS_PATH, metricsByName, readChipMetrics } from "./load-metrics.js";
import { sharedCondition, wavelengthLabel } from "./run-labels.js";
import { formatSeqList } from "./seq-selection.js";
import { siScale } from "./si-scale.js";
import { PLOT_HEIGHT, PLOT_WIDTH, wavelengthColor } from "./theme.js";

/** One point per It run. */
export const PHOTORESPONSE_PLOT: ChipPlotKind = { name: "photoresponse", procs: ["It", "ITt"], maxRuns: 500 };

/**
 * A chip's photoresponse against excitation: each It run's photocurrent (`delta_current`) against the
 * power that reached the chip (`irradiated_power`), per wavelength; against the laser voltage when a
 * run has no calibrated power (the note says which). Needs the derived metrics.
 * @example await plotPhotoresponse({ chip: "Alisson79", format: "png" }) // { path: "/…/data/04_plots/Alisson79/photoresponse_seq2-4.png", ... }
 */
export async function plotPhotoresponse(options: ChipPlotOptions): Promise<PlotResult> {
  const { chip, runs, notes } = await selectChipRuns(options, PHOTORESPONSE_PLOT);
  const metricsPath = options.metricsPath ?? DEFAULT_METRICS_PATH;
  const metrics = metricsByName(await readChipMetrics(metricsPath, chip.group, chip.number, ["delta_current", "irradiated_power"]));
  const delta = metrics.get("delta_current");
  const drawn = runs.filter((r) => delta?.get(r.run_id)?.value_float != null);
  if (drawn.length === 0) {
    throw new ValidationError(`no delta_current metrics for ${chip.name} seq ${formatSeqList(runs.map((r) => r.seq))} in ${metricsPath}: run derive-all-metrics`);
  }
  const missing = runs.filter((r) => !drawn.includes(r)).map((r) => r.seq);
  if (missing.length > 0) notes.push(`no delta_current for seq ${formatSeqList(missing)}: not drawn`);
  const power = (runId: string) => metrics.get("irradiated_power")?.get(runId)?.value_float ?? null;
  const withoutPower = drawn.filter((r) => power(r.run_id) === null).map((r) => r.seq);
  // One x quantity for the whole figure: power when every run has it, else what every run has.
  const byPower = withoutPower.length === 0;
  if (!byPower) notes.push(`no irradiated power for seq ${formatSeqList(withoutPower)}: plotted against laser voltage instead`);
  const points = drawn.map((run) => ({
    tag: String(run.seq),
    x: byPower ? power(run.run_id) : run.laser_voltage,
    delta: delta?.get(run.run_id)?.value_float ?? 0,
    nm: wavelengthLabel(run.laser_wavelength),
    wavelength: run.laser_wavelength ?? 0,
  }));
  const current = siScale(points.map((p) => p.delta), "A");
  const xScale = byPower ? siScale(points.map((p) => p.x ?? 0), "W") : { factor: 1, unit: "V" };
  const values = points.map((p) => ({ ...p, x: p.x === null ? null : p.x / xScale.factor, delta: p.delta / current.factor }));
  const wavelengths = [...new Set(points.map((p) => p.wavelength))].sort((a, b) => a - b);
  const encoding = {
    x: { field: "x", type: "quantitative", scale: { zero: byPower }, title: byPower ? `Irradiated power P (${xScale.unit})` : "Laser voltage VL (V)" },
    y: { field: "delta", type: "quantitative", title: `Photocurrent ΔI (${current.unit})` },
    color: {
      field: "nm",
      type: "nominal",
      title: "Wavelength",
      scale: { domain: wavelengths.map(wavelengthLabel), range: wavelengths.map(wavelengthColor) },
    },
  } as const;
  const conditions = [sharedCondition(drawn, "vds", "VDS", "V"), sharedCondition(drawn, "vg", "Vg", "V"), "one point per It run, labelled with its seq", byPower ? null : "no calibrated power for every run"];
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `${chip.name} · photocurrent vs ${byPower ? "irradiated power" : "laser voltage"}`, subtitle: conditions.filter((c) => c !== null).join(" · ") },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    data: { values },
    layer: [
      { mark: { type: "line", strokeWidth: 1, opacity: 0.6 }, encoding: { ...encoding, order: { field: "x", type: "quantitative" } } },
      { mark: { type: "point", filled: true, size: 80 }, encoding },
      {
        mark: { type: "text", align: "left", dx: 7, dy: -7, fontSize: 11, color: "#444444" },
        encoding: { x: encoding.x, y: encoding.y, text: { field: "tag", type: "nominal" } },
      },
    ],
  };
  return writeChipPlot(spec, options, PHOTORESPONSE_PLOT.name, chip.name, drawn.map((r) => r.seq), notes);
}
