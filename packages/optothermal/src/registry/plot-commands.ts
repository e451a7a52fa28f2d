import { z } from "zod";
import { DEFAULT_HISTORIES_DIR } from "../histories/build-histories.js";
import { CHIP_PLOTS, type ChipPlotName } from "../plots/index.js";
import { knownChips } from "../plots/load-chip.js";
import { DEFAULT_METRICS_PATH } from "../plots/load-metrics.js";
import { PLOT_FORMATS } from "../plots/render.js";
import type { PlotResult } from "../plots/chip-plot.js";
import { DEFAULT_PLOTS_DIR } from "../plots/write-plot.js";
import { labCommand } from "./lab-command.js";

const PLOT_NAMES = Object.keys(CHIP_PLOTS) as [ChipPlotName, ...ChipPlotName[]];

const commonArgs = {
  plots: z.array(z.enum(PLOT_NAMES)).min(1).default(PLOT_NAMES),
  format: z.enum(PLOT_FORMATS as [string, ...string[]]).default("png"),
  output_dir: z.string().default(DEFAULT_PLOTS_DIR),
  histories_dir: z.string().default(DEFAULT_HISTORIES_DIR),
  metrics_path: z.string().default(DEFAULT_METRICS_PATH),
};

const plotChipArgs = z.object({ chip_group: z.string(), chip_number: z.number().int(), ...commonArgs });
const plotAllArgs = z.object(commonArgs);

type CommonArgs = z.output<typeof plotAllArgs>;

/** Each named plot of one chip, with the default run selection, into `<output_dir>/<chip>/`. */
async function plotChip(chip: string, group: string | undefined, args: CommonArgs, log: (line: string) => void): Promise<PlotResult[]> {
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
  return results;
}

/** `plot_chip_command`: the named plots (all by default) of one chip; returns the paths written. */
export const plot_chip_command = labCommand(plotChipArgs, async (args, ctx) => {
  const results = await plotChip(String(args.chip_number), args.chip_group, args, (line) => ctx.log(line));
  return { paths: results.map((r) => r.path) };
});

/** `plot_all_chips_command`: the named plots of every chip that has a history; returns the paths written. */
export const plot_all_chips_command = labCommand(plotAllArgs, async (args, ctx) => {
  const paths: string[] = [];
  for (const chip of await knownChips(args.histories_dir)) {
    paths.push(...(await plotChip(chip, undefined, args, (line) => ctx.log(line))).map((r) => r.path));
  }
  return { paths };
});
