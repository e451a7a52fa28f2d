import type { Command as Program } from "commander";
import { formatTable, wholeNumber, type Output } from "@pipewright/cli";
import { DEFAULT_RAW_ROOT, DEFAULT_STAGE_ROOT, DEFAULT_STAGE_TZ, stageAll, type StageAllSummary } from "../staging/stage-all.js";
import type { LabContext } from "./lab-context.js";

export interface StageAllCommandOptions {
  rawRoot: string;
  stageRoot: string;
  proceduresYaml?: string;
  workers: number;
  force: boolean;
  strict: boolean;
  tz: string;
}

/** The summary `stage-all` prints: totals, a table by procedure, the rejects with their reasons. */
export function formatStagingSummary(summary: StageAllSummary, output: Output): string {
  const c = output.colors;
  const seconds = summary.elapsedMs / 1000;
  const seen = summary.staged + summary.skipped + summary.rejected;
  const lines = [
    `${c.bold("Staged")} ${summary.staged} file(s), skipped ${summary.skipped} unchanged, rejected ${summary.rejected} ` +
      c.dim(`(${seen} in ${seconds.toFixed(1)} s${summary.aborted ? ", stopped before the end" : ""})`),
  ];
  const procedures = Object.entries(summary.byProcedure).sort(([a], [b]) => a.localeCompare(b));
  const table = formatTable(
    [{ header: "procedure" }, { header: "staged", align: "right" }, { header: "skipped", align: "right" }, { header: "rejected", align: "right" }],
    procedures.map(([name, n]) => [name, String(n.staged), String(n.skipped), n.rejected > 0 ? { text: String(n.rejected), style: c.yellow } : "0"]),
    c,
  );
  lines.push(table.header, ...table.rows);
  if (summary.rejects.length > 0) {
    lines.push(c.yellow(`Rejected (${summary.rejects.length}), recorded in ${summary.rejectsPath}:`));
    for (const reject of summary.rejects) lines.push(`  ${reject.reason}`);
  }
  lines.push(`Manifest: ${summary.manifestPath} (${summary.manifestRows} runs)`);
  return `${lines.join("\n")}\n`;
}

/** Registers `stage-all` on the process-and-analyze program. */
export function registerStageAll(program: Program, context: LabContext): void {
  program
    .command("stage-all")
    .description("Stage every raw CSV into Parquet (one file per run), with the manifest and a report of rejected files")
    .option("--raw-root <dir>", "folder of raw files (day folders inside)", DEFAULT_RAW_ROOT)
    .option("--stage-root <dir>", "where proc=/date=/run_id= folders, _manifest/ and _rejects/ go", DEFAULT_STAGE_ROOT)
    .option("--procedures-yaml <file>", "the procedure catalogue (default: the package's config/procedures.yml)")
    .option("--workers <n>", "files staged in parallel", wholeNumber("--workers", 1), 2)
    .option("--force", "restage files that are unchanged since they were staged", false)
    .option("--strict", "fail (exit 1) when any file is rejected; the rejects are recorded first", false)
    .option("--tz <zone>", "the lab's time zone, for the local date of each run", DEFAULT_STAGE_TZ)
    .addHelpText("after", "\nExamples:\n  $ process-and-analyze stage-all\n  $ process-and-analyze stage-all --raw-root /mnt/lab/raw --workers 4 --strict")
    .action(async (options: StageAllCommandOptions) => {
      // Ctrl-C stops taking new files; what is staged so far is recorded, and the next run goes on from there.
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      let summary: StageAllSummary;
      try {
        summary = await stageAll({
          rawRoot: options.rawRoot,
          stageRoot: options.stageRoot,
          catalogue: options.proceduresYaml,
          workers: options.workers,
          force: options.force,
          tz: options.tz,
          signal: stop.signal,
        });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      context.output.out(formatStagingSummary(summary, context.output));
      if (summary.aborted) {
        context.output.err("Interrupted: the files staged so far are recorded; run the same command again to stage the rest.\n");
        context.exit(130);
        return;
      }
      if (options.strict && summary.rejected > 0) {
        context.output.err(`${context.output.colors.red("error:")} --strict: ${summary.rejected} file(s) rejected\n`);
        context.exit(1);
      }
    });
}
