import type { TopLevelSpec } from "vega-lite";
import { formatNumber } from "../histories/history-summary.js";
import type { HistoryRow } from "../histories/history-row.js";
import { selectChipRuns, writeChipPlot, type ChipPlotKind, type ChipPlotOptions, type PlotResult } from "./chip-plot.js";
import { readRunData } from "./load-run-data.js";
import { runLabel, sharedCondition, wavelengthLabel } from "./run-labels.js";
import { siScale } from "./si-scale.js";
import { PLOT_HEIGHT, PLOT_WIDTH, SEQUENCE_COLORS } from "./theme.js";

/** Photoresponse traces; more than eight overlaid traces hide each other. */
export const ITS_PLOT: ChipPlotKind = { name: "its", procs: ["It", "ITt"], maxRuns: 8 };

/**
 * Photoresponse traces of a chip: the change of drain current since the run's first sample against
 * time, one line per It run, with the laser-on periods shaded.
 * @example await plotIts({ chip: "Alisson79", seq: "2-4" }) // { path: "/…/data/04_plots/Alisson79/its_seq2-4.svg", ... }
 */
export async function plotIts(options: ChipPlotOptions): Promise<PlotResult> {
  const { chip, runs, notes } = await selectChipRuns(options, ITS_PLOT);
  const data = await readRunData(runs, ["t_s", "i_a", "vl_v"]);
  return writeChipPlot(itsSpec(chip.name, runs, data), options, ITS_PLOT.name, chip.name, runs.map((r) => r.seq), notes);
}

interface Sample {
  t: number;
  i: number;
  laser: number;
}

function itsSpec(chip: string, runs: readonly HistoryRow[], data: readonly Record<string, unknown>[]): TopLevelSpec {
  const samples = new Map<string, Sample[]>(runs.map((r) => [r.run_id, []]));
  for (const d of data) samples.get(d.run_id as string)?.push({ t: d.t_s as number, i: d.i_a as number, laser: (d.vl_v as number | null) ?? 0 });
  // Photocurrent relative to the start: traces of runs with different dark currents share one axis.
  const deltas = runs.flatMap((run) => {
    const trace = samples.get(run.run_id) ?? [];
    const start = startCurrent(trace);
    return trace.map((s, k) => ({ k, t: s.t, delta: s.i - start, label: itsLabel(run) }));
  });
  const current = siScale(deltas.map((d) => d.delta), "A");
  const values = deltas.map((d) => ({ ...d, delta: d.delta / current.factor }));
  const shaded = laserOnPeriods([...samples.values()]);
  const conditions = [sharedCondition(runs, "vds", "VDS", "V"), sharedCondition(runs, "vg", "Vg", "V"), sharedCondition(runs, "laser_period", "laser ON+OFF period", "s")];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `${chip} · photoresponse (It)`, subtitle: [conditions.filter((c) => c !== null).join(" · "), "I₀: mean current before the laser goes on · shaded: laser on"] },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    layer: [
      {
        data: { values: shaded },
        mark: { type: "rect", color: "#f2b134", opacity: 0.2 },
        encoding: { x: { field: "from", type: "quantitative" }, x2: { field: "to" } },
      },
      {
        data: { values },
        mark: { type: "line", clip: true, strokeWidth: 1.4 },
        encoding: {
          x: { field: "t", type: "quantitative", title: "Time t (s)", scale: { nice: false } },
          y: { field: "delta", type: "quantitative", title: `Photocurrent ΔI = I − I₀ (${current.unit})` },
          color: { field: "label", type: "nominal", title: "Run (λ, laser voltage)", scale: { domain: runs.map(itsLabel), range: SEQUENCE_COLORS }, legend: { symbolType: "stroke" } },
          order: { field: "k", type: "quantitative" },
        },
      },
    ],
  };
}

/** The mean current before the laser first goes on (one sample is too noisy), or the first sample's. */
function startCurrent(trace: readonly Sample[]): number {
  const firstOn = trace.findIndex((s) => s.laser > 0);
  const dark = trace.slice(0, firstOn === -1 ? trace.length : firstOn);
  return dark.length === 0 ? (trace[0]?.i ?? 0) : dark.reduce((sum, s) => sum + s.i, 0) / dark.length;
}

function itsLabel(run: HistoryRow): string {
  const voltage = run.laser_voltage === null ? "" : `, ${formatNumber(run.laser_voltage)} V`;
  return runLabel(run, `${wavelengthLabel(run.laser_wavelength)}${voltage}`);
}

/**
 * The distinct stretches of time with the laser on (laser voltage above zero) across the traces,
 * rounded to 0.1 s so that runs with the same timing shade the same band once.
 */
function laserOnPeriods(traces: readonly Sample[][]): { from: number; to: number }[] {
  const periods = new Map<string, { from: number; to: number }>();
  for (const trace of traces) {
    let from: number | null = null;
    trace.forEach((s, k) => {
      if (s.laser > 0) from ??= s.t;
      const next = trace[k + 1];
      if (from !== null && (next === undefined || next.laser <= 0)) {
        const period = { from: Math.round(from * 10) / 10, to: Math.round(s.t * 10) / 10 };
        periods.set(`${period.from}:${period.to}`, period);
        from = null;
      }
    });
  }
  return [...periods.values()];
}
