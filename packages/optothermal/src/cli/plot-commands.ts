import type { Command as Program } from "commander";
import { ValidationError } from "pipewright";
import { wholeNumber } from "@pipewright/cli";
import { DEFAULT_HISTORIES_DIR, DEFAULT_MANIFEST_PATH } from "../histories/build-histories.js";
import type { ChipPlotOptions, PlotResult } from "../plots/chip-plot.js";
import { CHIP_PLOTS, type ChipPlotName } from "../plots/index.js";
import { DEFAULT_METRICS_PATH } from "../plots/load-metrics.js";
import { plotLaserCalibration } from "../plots/plot-laser-calibration.js";
import { PLOT_FORMATS, type PlotFormat } from "../plots/render.js";
import { DEFAULT_PLOTS_DIR } from "../plots/write-plot.js";
import type { LabContext } from "./lab-context.js";

const CHIP_COMMANDS: readonly { name: ChipPlotName; description: string; metrics: boolean; example: string }[] = [
  { name: "ivg", description: "Transfer curves: drain current vs gate voltage of a chip's IVg runs, one line per seq", metrics: false, example: "--seq 3,5,7-9" },
  { name: "its", description: "Photoresponse traces: current change vs time of a chip's It runs, laser-on periods shaded", metrics: false, example: "--seq 2-4 --format png" },
  { name: "cnp-time", description: "Charge-neutrality point of a chip's IVg runs over time, forward and backward sweeps, light/dark", metrics: true, example: "--format png" },
  { name: "photoresponse", description: "Photocurrent of a chip's It runs vs irradiated power (or laser voltage), per wavelength", metrics: true, example: "--seq 2-9" },
];

/** `--format` as the CLI takes it. */
function formatOption(value: string): PlotFormat {
  const format = PLOT_FORMATS.find((f) => f === value.toLowerCase());
  if (format === undefined) throw new ValidationError(`Expected --format to be ${PLOT_FORMATS.join(" or ")}, got \`${value}\``);
  return format;
}

/** What a plot command prints: where the file is, and what was left out. */
function report(result: PlotResult, context: LabContext): void {
  const c = context.output.colors;
  context.output.out(`${c.bold(result.plot)} ${result.chip}: wrote ${result.path}\n`);
  for (const note of result.notes) context.output.out(c.yellow(`  note: ${note}\n`));
}

/** Registers `plot-ivg`, `plot-its`, `plot-cnp-time`, `plot-photoresponse` and `plot-laser-calibration`. */
export function registerPlots(program: Program, context: LabContext): void {
  for (const plot of CHIP_COMMANDS) {
    const command = program
      .command(`plot-${plot.name}`)
      .description(plot.description)
      .argument("<chip>", "the chip, as <group><number> (e.g. Alisson79) or its number with --group")
      .option("--group <name>", "the chip group, when CHIP is a bare number")
      .option("--seq <list>", "the runs to draw, by seq in the chip's history (e.g. 3,5,7-9); default: the latest runs of the kind")
      .option("--format <format>", `${PLOT_FORMATS.join(" or ")} (default: from --output's extension, else svg)`, formatOption)
      .option("--output <file>", `the file to write (default: ${DEFAULT_PLOTS_DIR}/<chip>/${plot.name}_seq<seqs>.<format>)`)
      .option("--histories-dir <dir>", "where build-all-histories wrote the chip histories", DEFAULT_HISTORIES_DIR)
      .option("--plots-dir <dir>", "the default output folder", DEFAULT_PLOTS_DIR)
      .option("--max-runs <n>", "without --seq, draw at most this many of the latest runs", wholeNumber("--max-runs", 1));
    if (plot.metrics) command.option("--metrics-path <file>", "the derived metrics", DEFAULT_METRICS_PATH);
    command
      .addHelpText("after", `\nExamples:\n  $ process-and-analyze plot-${plot.name} Alisson79\n  $ process-and-analyze plot-${plot.name} 79 --group Alisson ${plot.example}`)
      .action(async (chip: string, options: Omit<ChipPlotOptions, "chip">) => {
        report(await CHIP_PLOTS[plot.name]({ ...options, chip }), context);
      });
  }
  program
    .command("plot-laser-calibration")
    .description("Laser calibrations: optical power vs laser voltage of every calibration run, by wavelength and date")
    .option("--date <dates>", "only the calibrations of these local dates, comma separated (YYYY-MM-DD)")
    .option("--format <format>", `${PLOT_FORMATS.join(" or ")} (default: from --output's extension, else svg)`, formatOption)
    .option("--output <file>", `the file to write (default: ${DEFAULT_PLOTS_DIR}/laser/laser_calibration.<format>)`)
    .option("--manifest-path <file>", "the manifest stage-all wrote", DEFAULT_MANIFEST_PATH)
    .option("--plots-dir <dir>", "the default output folder", DEFAULT_PLOTS_DIR)
    .option("--max-runs <n>", "without --date, draw at most this many of the latest calibrations", wholeNumber("--max-runs", 1))
    .addHelpText("after", "\nExamples:\n  $ process-and-analyze plot-laser-calibration\n  $ process-and-analyze plot-laser-calibration --date 2025-10-20,2025-10-21 --format png")
    .action(async (options: { date?: string; format?: PlotFormat; output?: string; manifestPath: string; plotsDir: string; maxRuns?: number }) => {
      const dates = options.date?.split(",").map((d) => d.trim()).filter((d) => d !== "");
      report(await plotLaserCalibration({ ...options, dates }), context);
    });
}
