import type { TopLevelSpec } from "vega-lite";
import type { HistoryRow } from "../histories/history-row.js";
import { ValidationError } from "pipewright";
import { selectChipRuns, writeChipPlot, type ChipPlotKind, type ChipPlotOptions, type PlotResult } from "./chip-plot.js";
import { DEFAULT_METRICS_PATH, metricsByName, readChipMetrics } from "./load-metrics.js";
import { illumination } from "./run-labels.js";
import { formatSeqList } from "./seq-selection.js";
import { illuminationColors, PLOT_HEIGHT, PLOT_WIDTH } from "./theme.js";

/** One point per sweep: hundreds stay readable. */
export const CNP_TIME_PLOT: ChipPlotKind = { name: "cnp-time", procs: ["IVg", "VVg"], maxRuns: 500 };

const SWEEPS = [
  { metric: "cnp_voltage", sweep: "mean of both sweeps", shape: "circle" },
  { metric: "cnp_forward", sweep: "forward sweep", shape: "triangle-up" },
  { metric: "cnp_backward", sweep: "backward sweep", shape: "triangle-down" },
] as const;

/**
 * The charge-neutrality point of a chip over time: the CNP voltage of each IVg run (a line through
 * the runs), its forward and backward sweeps as triangles joined by a bar (the hysteresis), dark and
 * light runs in different colours. Needs the derived metrics.
 * @example await plotCnpTime({ chip: "Alisson79" }) // { path: "/…/data/04_plots/Alisson79/cnp-time_seq1,5,9.svg", ... }
 */
export async function plotCnpTime(options: ChipPlotOptions): Promise<PlotResult> {
  const { chip, runs, notes } = await selectChipRuns(options, CNP_TIME_PLOT);
  const metricsPath = options.metricsPath ?? DEFAULT_METRICS_PATH;
  const metrics = metricsByName(await readChipMetrics(metricsPath, chip.group, chip.number, SWEEPS.map((s) => s.metric)));
  const cnp = metrics.get("cnp_voltage");
  const drawn = runs.filter((r) => cnp?.get(r.run_id)?.value_float != null && localTime(r) !== null);
  if (drawn.length === 0) {
    throw new ValidationError(`no CNP metrics for ${chip.name} seq ${formatSeqList(runs.map((r) => r.seq))} in ${metricsPath}: run derive-all-metrics`);
  }
  const missing = runs.filter((r) => !drawn.includes(r)).map((r) => r.seq);
  if (missing.length > 0) notes.push(`no CNP (or no start time) for seq ${formatSeqList(missing)}: not drawn`);
  const points = drawn.flatMap((run) =>
    SWEEPS.flatMap(({ metric, sweep }) => {
      const value = metrics.get(metric)?.get(run.run_id)?.value_float;
      return value == null ? [] : [{ seq: run.seq, time: localTime(run), sweep, cnp: value, light: illumination(run) }];
    }),
  );
  return writeChipPlot(cnpSpec(chip.name, drawn, points), options, CNP_TIME_PLOT.name, chip.name, drawn.map((r) => r.seq), notes);
}

/** The run's start in the lab's local time, as a UTC instant so that the figure does not depend on the machine's zone. */
function localTime(run: HistoryRow): number | null {
  return run.time_local === null ? null : Date.parse(`${run.date_local}T${run.time_local}Z`);
}

function cnpSpec(chip: string, runs: readonly HistoryRow[], points: readonly Record<string, unknown>[]): TopLevelSpec {
  const x = { field: "time", type: "temporal", title: "Run start (lab local time)", scale: { type: "utc", padding: 24 }, axis: { format: "%m-%d %H:%M", labelAngle: -30 } } as const;
  const y = { field: "cnp", type: "quantitative", title: "CNP voltage (V)", scale: { zero: false } } as const;
  const colors = illuminationColors(runs.map(illumination));
  const mean = (row: Record<string, unknown>) => row.sweep === SWEEPS[0].sweep;
  const legs = runs.map((run) => {
    const of = points.filter((p) => p.seq === run.seq);
    return { time: localTime(run), from: of.find((p) => p.sweep === SWEEPS[1].sweep)?.cnp, to: of.find((p) => p.sweep === SWEEPS[2].sweep)?.cnp, light: illumination(run) };
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `${chip} · charge-neutrality point over time`, subtitle: `${runs.length} IVg run(s) · bar: forward-to-backward hysteresis` },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    layer: [
      {
        data: { values: points.filter(mean) },
        mark: { type: "line", color: "#9a9a9a", strokeWidth: 1 },
        encoding: { x, y },
      },
      {
        data: { values: legs.filter((l) => l.from !== undefined && l.to !== undefined) },
        mark: { type: "rule", strokeWidth: 1.2 },
        encoding: { x, y: { field: "from", type: "quantitative" }, y2: { field: "to" }, color: { field: "light", type: "nominal", scale: colors } },
      },
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x,
          y,
          color: { field: "light", type: "nominal", title: "Illumination", scale: colors },
          shape: { field: "sweep", type: "nominal", title: "CNP of", scale: { domain: SWEEPS.map((s) => s.sweep), range: SWEEPS.map((s) => s.shape) } },
        },
      },
    ],
  };
}
