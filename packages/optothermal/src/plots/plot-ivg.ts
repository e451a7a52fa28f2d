import type { TopLevelSpec } from "vega-lite";
import type { HistoryRow } from "../histories/history-row.js";
import { selectChipRuns, writeChipPlot, type ChipPlotKind, type ChipPlotOptions, type PlotResult } from "./chip-plot.js";
import { readRunData } from "./load-run-data.js";
import { illumination, runLabel, sharedCondition } from "./run-labels.js";
import { siScale } from "./si-scale.js";
import { illuminationDashes, PLOT_HEIGHT, PLOT_WIDTH, SEQUENCE_COLORS } from "./theme.js";

/** Transfer curves; ten overlaid sweeps are about as many as one can tell apart. */
export const IVG_PLOT: ChipPlotKind = { name: "ivg", procs: ["IVg"], maxRuns: 10 };

/**
 * Transfer curves of a chip: drain current against gate voltage for its IVg runs, one line per seq
 * in measurement order (both sweep directions), dark solid and light dashed.
 * @example await plotIvg({ chip: "Alisson79", seq: "3,5,7-9", format: "png" }) // { path: "/…/data/04_plots/Alisson79/ivg_seq3,5,7-9.png", ... }
 */
export async function plotIvg(options: ChipPlotOptions): Promise<PlotResult> {
  const { chip, runs, notes } = await selectChipRuns(options, IVG_PLOT);
  const data = await readRunData(runs, ["vg_v", "i_a"]);
  const spec = ivgSpec(chip.name, runs, data);
  return writeChipPlot(spec, options, IVG_PLOT.name, chip.name, runs.map((r) => r.seq), notes);
}

function ivgSpec(chip: string, runs: readonly HistoryRow[], data: readonly Record<string, unknown>[]): TopLevelSpec {
  const current = siScale(data.map((d) => d.i_a as number), "A");
  const byRun = new Map(runs.map((r) => [r.run_id, r]));
  const values = data.map((d, i) => {
    const run = byRun.get(d.run_id as string);
    return { i, vg: d.vg_v, current: (d.i_a as number) / current.factor, label: run ? runLabel(run) : "", light: run ? illumination(run) : "dark" };
  });
  const labels = runs.map((r) => runLabel(r));
  const conditions = [sharedCondition(runs, "vds", "VDS", "V"), "both sweep directions"].filter((c) => c !== null);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `${chip} · transfer curves (IVg)`, subtitle: conditions.join(" · ") },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    data: { values },
    mark: { type: "line", clip: true },
    encoding: {
      x: { field: "vg", type: "quantitative", title: "Gate voltage Vg (V)", scale: { nice: false, zero: false } },
      y: { field: "current", type: "quantitative", title: `Drain current Ids (${current.unit})`, scale: { zero: false } },
      color: {
        field: "label",
        type: "nominal",
        title: "Run",
        scale: { domain: labels, range: SEQUENCE_COLORS },
        legend: { symbolType: "stroke" },
      },
      strokeDash: { field: "light", type: "nominal", title: "Illumination", scale: illuminationDashes(runs.map(illumination)), legend: { symbolType: "stroke", symbolStrokeColor: "#222222" } },
      order: { field: "i", type: "quantitative" },
      detail: { field: "label" },
    },
  };
}
