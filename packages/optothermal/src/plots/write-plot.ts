import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { writeAtomically } from "../staging/atomic.js";
import { renderPlot, type PlotFormat } from "./render.js";
import { formatSeqList } from "./seq-selection.js";

/** Where plots go by default: one folder per chip. */
export const DEFAULT_PLOTS_DIR = "data/04_plots";

/**
 * `<plotsDir>/<chip>/<plot>_seq<seqs>.<format>`: the name says which runs are drawn.
 * @example defaultPlotPath("data/04_plots", "Alisson79", "ivg", [1, 2, 3, 7], "png") // "data/04_plots/Alisson79/ivg_seq1-3,7.png"
 */
export function defaultPlotPath(plotsDir: string, chip: string, plot: string, seqs: readonly number[], format: PlotFormat): string {
  return path.join(plotsDir, chip.replace(/[^\w.-]+/g, "_"), `${plot}_seq${formatSeqList(seqs)}.${format}`);
}

/**
 * Renders `spec` and writes it to `target` atomically (a reader never sees half a file), creating
 * the folder. Returns the absolute path written.
 * @example await writePlot(spec, "svg", "data/04_plots/Alisson79/ivg_seq1-3.svg") // "/…/data/04_plots/Alisson79/ivg_seq1-3.svg"
 */
export async function writePlot(spec: TopLevelSpec, format: PlotFormat, target: string): Promise<string> {
  const absolute = path.resolve(target);
  const body = await renderPlot(spec, format);
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeAtomically(absolute, (temp) => writeFile(temp, body));
  return absolute;
}
