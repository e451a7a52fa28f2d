import { z } from "zod";
import path from "node:path";
import { DEFAULT_HISTORIES_DIR, historyFileName } from "../histories/build-histories.js";
import { CHIP_PLOTS, type ChipPlotName } from "../plots/index.js";
import { knownChips } from "../plots/load-chip.js";
import { DEFAULT_METRICS_PATH } from "../plots/load-metrics.js";
import { PLOT_FORMATS } from "../plots/render.js";
import type { PlotResult } from "../plots/chip-plot.js";
import { DEFAULT_PLOTS_DIR } from "../plots/write-plot.js";
import { upToDateResult, writeStamp } from "../up-to-date.js";
import { labCommand } from "./lab-command.js";

const PLOT_NAMES = Object.keys(CHIP_PLOTS) as [ChipPlotName, ...ChipPlotName[]];

const commonArgs = {
  plots: z.array(z.enum(PLOT_NAMES)).min(1).default(PLOT_NAMES),
  format: z.enum(PLOT_FORMATS as [string, ...string[]]).default("png"),
  output_dir: z.string().default(DEFAULT_PLOTS_DIR),
  histories_dir: z.string().default(DEFAULT_HISTORIES_DIR),
  metrics_path: z.string().default(DEFAULT_METRICS_PATH),
  /** Plot again even when the chip's history and the metrics have not changed. */
  force: z.boolean().default(false),
};

const plotChipArgs = z.object({ chip_group: z.string(), chip_number: z.number().int(), ...commonArgs });
const plotAllArgs = z.object(commonArgs);

type CommonArgs = z.output<typeof plotAllArgs>;

/**
 * Each named plot of one chip, with the default run selection, into `<output_dir>/<chip>/`; the
 * files already there are kept when the chip's history and the metrics have not changed since.
 */
async function plotChip(chip: string, group: string | undefined, historyFile: string, args: CommonArgs, log: (line: string) => void): Promise<string[]> {
  const stamp = path.join(args.output_dir, path.basename(historyFile, "_history.parquet"), ".built-from.json");
  const inputs = [historyFile, args.metrics_path];
  const settings = { plots: args.plots, format: args.format };
  const previous = args.force ? null : await upToDateResult(stamp, inputs, settings);
  if (previous !== null) {
    log(`${chip}: up to date`);
    return previous as string[];
  }
  const results: PlotResult[] = [];
  for (const name of args.plots) {
    const result = await CHIP_PLOTS[name]({
      chip,
      group,
      format: args.format as (typeof PLOT_FORMATS)[number],
      plotsDir: args.output_dir,
      historiesDir: args.histories_dir,
      metricsPath: args.metrics_path,
    });
    log(`${result.chip} ${name}: ${result.path}`);
    for (const note of result.notes) log(`  note: ${note}`);
    results.push(result);
  }
  const paths = results.map((r) => r.path);
  await writeStamp(stamp, inputs, settings, paths, paths);
  return paths;
}

/** `plot_chip_command`: the named plots (all by default) of one chip; returns the paths written. */
export const plot_chip_command = labCommand(plotChipArgs, async (args, ctx) => {
  const historyFile = path.join(args.histories_dir, historyFileName(args.chip_group, args.chip_number));
  return { paths: await plotChip(String(args.chip_number), args.chip_group, historyFile, args, (line) => ctx.log(line)) };
});

/** `plot_all_chips_command`: the named plots of every chip that has a history; returns the paths written. */
export const plot_all_chips_command = labCommand(plotAllArgs, async (args, ctx) => {
  const paths: string[] = [];
  const chips = await knownChips(args.histories_dir);
  for (const [i, chip] of chips.entries()) {
    const historyFile = path.join(args.histories_dir, `${chip}_history.parquet`);
    paths.push(...(await plotChip(chip, undefined, historyFile, args, (line) => ctx.log(line))));
    ctx.progress(i + 1, chips.length);
  }
  return { paths };
});
