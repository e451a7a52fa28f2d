import path from "node:path";
import { ValidationError } from "pipewright";
import type { TopLevelSpec } from "vega-lite";
import type { HistoryRow } from "../histories/history-row.js";
import { loadChipHistory, type ChipHistory } from "./load-chip.js";
import { PLOT_FORMATS, type PlotFormat } from "./render.js";
import { parseSeqList, selectRuns } from "./seq-selection.js";
import { DEFAULT_PLOTS_DIR, defaultPlotPath, writePlot } from "./write-plot.js";

/** What every chip plot takes (the CLI options and the registry args map onto these). */
export interface ChipPlotOptions {
  /** `Alisson79`, or a number with `group`. */
  chip: string;
  group?: string;
  /** Runs to draw, `3,5,7-9` or a list; by default the latest `maxRuns` runs of the plot's kind. */
  seq?: string | readonly number[];
  /** From `output`'s extension when absent, else svg. */
  format?: PlotFormat;
  /** The file to write; `<plotsDir>/<chip>/<plot>_seq<seqs>.<format>` by default. */
  output?: string;
  historiesDir?: string;
  plotsDir?: string;
  maxRuns?: number;
  /** The metrics Parquet, for the plots of derived metrics. */
  metricsPath?: string;
}

export interface PlotResult {
  /** The plot's name, e.g. `ivg`. */
  plot: string;
  /** `<group><number>`, or `laser` for the calibrations. */
  chip: string;
  /** The absolute path written. */
  path: string;
  /** The seqs drawn (empty for the laser calibrations). */
  seqs: number[];
  /** What the user should know about the selection (runs left out, a fallback axis); empty when nothing. */
  notes: string[];
}

/** What a chip plot draws and how many runs it draws at most by default. */
export interface ChipPlotKind {
  name: string;
  procs: readonly string[];
  maxRuns: number;
}

export interface ChipSelection {
  chip: ChipHistory;
  runs: HistoryRow[];
  notes: string[];
}

/**
 * The chip's history and the runs a plot draws, from `--seq` or the default selection.
 * @example (await selectChipRuns({ chip: "Demo1", seq: "1,5" }, IVG_KIND)).runs.map((r) => r.seq) // [1, 5]
 */
export async function selectChipRuns(options: ChipPlotOptions, kind: ChipPlotKind): Promise<ChipSelection> {
  const chip = await loadChipHistory(options.chip, { group: options.group, historiesDir: options.historiesDir });
  const seqs = typeof options.seq === "string" ? parseSeqList(options.seq) : options.seq;
  const selection = selectRuns(chip.history, { procs: kind.procs, seqs, maxRuns: options.maxRuns ?? kind.maxRuns, chip: chip.name });
  return { chip, runs: selection.runs, notes: selection.note === null ? [] : [selection.note] };
}

/**
 * Renders a chip plot of `seqs` to `options.output` or its default path, and says what was written.
 * @example await writeChipPlot(spec, { chip: "Demo1" }, "ivg", "Demo1", [1, 5], []) // { path: "/…/data/04_plots/Demo1/ivg_seq1,5.svg", ... }
 */
export async function writeChipPlot(
  spec: TopLevelSpec,
  options: ChipPlotOptions,
  plot: string,
  chip: string,
  seqs: readonly number[],
  notes: string[],
): Promise<PlotResult> {
  const format = plotFormat(options);
  const target = options.output ?? defaultPlotPath(options.plotsDir ?? DEFAULT_PLOTS_DIR, chip, plot, seqs, format);
  return { plot, chip, path: await writePlot(spec, format, target), seqs: [...seqs], notes };
}

/**
 * The format asked for, or the one `output`'s extension names, else svg; a clash is the user's mistake.
 * @example plotFormat({ chip: "Demo1", output: "fig.png" }) // "png"
 */
export function plotFormat(options: Pick<ChipPlotOptions, "format" | "output">): PlotFormat {
  const extension = options.output === undefined ? undefined : path.extname(options.output).slice(1).toLowerCase();
  const implied = PLOT_FORMATS.find((f) => f === extension);
  if (options.format !== undefined && !PLOT_FORMATS.includes(options.format)) {
    throw new ValidationError(`--format must be ${PLOT_FORMATS.join(" or ")}, not \`${String(options.format)}\``);
  }
  if (options.format !== undefined && implied !== undefined && implied !== options.format) {
    throw new ValidationError(`--output ${options.output} is a .${implied} file but --format is ${options.format}: make them agree`);
  }
  return options.format ?? implied ?? "svg";
}
