import type { Command as Program } from "commander";
import { formatTable, wholeNumber, type Output } from "@pipewright/cli";
import {
  buildAllHistories,
  DEFAULT_HISTORIES_DIR,
  DEFAULT_HISTORY_TZ,
  DEFAULT_MANIFEST_PATH,
  DEFAULT_MIN_EXPERIMENTS,
  type BuildHistoriesSummary,
} from "../histories/build-histories.js";
import type { LabContext } from "./lab-context.js";

interface BuildHistoriesCommandOptions {
  manifestPath: string;
  outputDir: string;
  group?: string;
  minExperiments: number;
  tz: string;
  force: boolean;
}

/** What `build-all-histories` prints: a line per chip, the chips left out, where the files are. */
export function formatHistoriesSummary(summary: BuildHistoriesSummary, output: Output): string {
  const c = output.colors;
  const day = (iso: string | null) => iso?.slice(0, 10) ?? "?";
  const table = formatTable(
    [{ header: "chip" }, { header: "runs", align: "right" }, { header: "from" }, { header: "to" }, { header: "file" }],
    summary.chips.map((chip) => [chip.chip, String(chip.runs), day(chip.first), day(chip.last), chip.path]),
    c,
  );
  const lines = [
    `${c.bold("Histories")} for ${summary.chips.length} chip(s) from ${summary.manifestRuns} runs${summary.upToDate ? " (up to date: unchanged manifest)" : ""} ` +
      c.dim(`(${summary.calibrationRuns} calibration runs have no chip; ${(summary.elapsedMs / 1000).toFixed(1)} s)`),
    table.header,
    ...table.rows,
  ];
  for (const chip of summary.belowMinimum) lines.push(c.yellow(`  ${chip.chip}: ${chip.runs} run(s), below --min-experiments: no history written`));
  return `${lines.join("\n")}\n`;
}

/** Registers `build-all-histories` on the process-and-analyze program. */
export function registerBuildHistories(program: Program, context: LabContext): void {
  program
    .command("build-all-histories")
    .description("Write one Parquet history per chip (its runs in time order, numbered, with a one-line summary each)")
    .option("--manifest-path <file>", "the manifest stage-all wrote", DEFAULT_MANIFEST_PATH)
    .option("--output-dir <dir>", "where <group><number>_history.parquet files go", DEFAULT_HISTORIES_DIR)
    .option("--group <name>", "only the chips of this chip group")
    .option("--min-experiments <n>", "leave out chips with fewer runs", wholeNumber("--min-experiments", 1), DEFAULT_MIN_EXPERIMENTS)
    .option("--tz <zone>", "the lab's time zone, for local dates and times", DEFAULT_HISTORY_TZ)
    .option("--force", "rebuild even when the manifest has not changed", false)
    .addHelpText("after", "\nExamples:\n  $ process-and-analyze build-all-histories\n  $ process-and-analyze build-all-histories --group Alisson --min-experiments 5")
    .action(async (options: BuildHistoriesCommandOptions) => {
      const summary = await buildAllHistories({ ...options });
      context.output.out(formatHistoriesSummary(summary, context.output));
    });
}
