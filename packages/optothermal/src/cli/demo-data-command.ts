import type { Command as Program } from "commander";
import { wholeNumber } from "@pipewright/cli";
import { DEFAULT_START_DATE, DEFAULT_TIME_ZONE, generateDemoData, type DemoDataSummary } from "../demo/generate.js";
import type { LabContext } from "./lab-context.js";
import { listRawFiles } from "../raw/list-raw-files.js";

export interface DemoDataCommandOptions {
  out: string;
  chips: number;
  days: number;
  seed: number;
  startDate: string;
  tz: string;
  force: boolean;
  ifEmpty: boolean;
}

/** `process-and-analyze demo-data`: writes the demo raw files and prints what was made. */
export async function demoDataCommand(options: DemoDataCommandOptions, write: (text: string) => void): Promise<DemoDataSummary | null> {
  if (options.ifEmpty) {
    const existing = (await listRawFiles(options.out).catch(() => [])).length;
    if (existing > 0) {
      write(`${options.out} already holds ${existing} raw file(s): no demo data written\n`);
      return null;
    }
  }
  const summary = await generateDemoData({ ...options, overwrite: options.force });
  const counts = Object.entries(summary.filesByProcedure).map(([procedure, n]) => `${procedure} ${n}`);
  const total = summary.files.length + summary.broken.length;
  write(`Wrote ${total} demo raw files to ${summary.out} (seed ${options.seed}, days ${summary.days.join(", ")}, ${options.tz})\n`);
  write(`  ${counts.join(", ")}\n`);
  for (const chip of summary.chips) {
    write(`  chip ${chip.group} ${chip.number}: Dirac point ${chip.diracV.toFixed(2)} V, hysteresis ${(chip.hysteresisV * 1000).toFixed(0)} mV\n`);
  }
  write(`  broken on purpose (${summary.broken.length}):\n`);
  for (const file of summary.broken) write(`    ${file.path}: ${file.reason}\n`);
  return summary;
}

/** Registers `demo-data` on the process-and-analyze program. */
export function registerDemoData(program: Program, context: LabContext): void {
  program
    .command("demo-data")
    .description("Write a deterministic demo data set in the lab's raw format (IVg, It, LaserCalibration, a few broken files)")
    .option("--out <dir>", "folder for the day folders", "data/01_raw")
    .option("--chips <n>", "number of chips", wholeNumber("--chips", 1), 3)
    .option("--days <n>", "number of consecutive days", wholeNumber("--days", 1), 2)
    .option("--seed <n>", "the same seed gives byte-identical files", wholeNumber("--seed", 0), 1)
    .option("--start-date <YYYY-MM-DD>", "the first day", DEFAULT_START_DATE)
    .option("--tz <zone>", "the lab's time zone (day folders are its local dates)", DEFAULT_TIME_ZONE)
    .option("--force", "replace files that already exist", false)
    .option("--if-empty", "write nothing when the folder already holds raw files (what `npm start` does)", false)
    .addHelpText("after", "\nExample:\n  $ process-and-analyze demo-data --out data/01_raw --chips 3 --days 2 --seed 7")
    .action(async (options: DemoDataCommandOptions) => {
      await demoDataCommand(options, context.output.out);
    });
}
