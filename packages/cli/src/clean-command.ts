import type { Command as Program } from "commander";
import { CheckpointStore, DEFAULT_CHECKPOINT_DIR, ValidationError } from "pipewright";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import { localDateTime, plural, statusCell } from "./execution-format.js";
import { parseDays, wholeNumber } from "./number-options.js";
import type { Output } from "./output.js";
import { processLiveness } from "./process-liveness.js";
import { planClean } from "./retention.js";
import { formatTable, type Cell } from "./table.js";

export interface CleanOptions {
  keep?: number;
  olderThan?: number;
  pipeline?: string;
  force: boolean;
  dryRun: boolean;
  checkpointDir: string;
}

/** `pipewright clean`: removes old checkpoints, keeping those that may still be resumed; prints what it did and why. */
export async function cleanCommand(options: CleanOptions, output: Output): Promise<number> {
  if (options.keep === undefined && options.olderThan === undefined) {
    throw new ValidationError("Say which executions to remove: --keep N (the N newest of each pipeline stay), --older-than DAYS, or both");
  }
  const c = output.colors;
  const store = new CheckpointStore(options.checkpointDir);
  const executions = await store.summaries(options.pipeline);
  const verdicts = planClean(
    executions,
    { keep: options.keep, olderThanDays: options.olderThan, force: options.force, now: Date.now() },
    (e) => processLiveness(e.pid, e.hostname),
  );
  let failures = 0;
  const rows: Cell[][] = [];
  for (const { execution: e, remove, reason } of verdicts) {
    let action: Cell = remove ? (options.dryRun ? "would remove" : "removed") : { text: "kept", style: c.dim };
    let why = reason;
    if (remove && !options.dryRun) {
      try {
        await store.remove(e.path);
      } catch (error) {
        failures++;
        action = { text: "not removed", style: c.red };
        why = (error as Error).message;
      }
    }
    rows.push([action, e.executionId, e.pipelineName, statusCell(e.status, c), localDateTime(e.startedAt), { text: why, style: c.dim }]);
  }
  if (rows.length > 0) {
    const columns = ["action", "id", "pipeline", "status", "started", "why"].map((header) => ({ header }));
    const table = formatTable(columns, rows, c);
    output.out(`${[table.header, ...table.rows].join("\n")}\n\n`);
  }
  const removed = verdicts.filter((v) => v.remove).length - failures;
  const kept = verdicts.length - removed - failures;
  const verb = options.dryRun ? "Would remove" : "Removed";
  output.out(`${verb} ${plural(removed, "execution")}; kept ${kept}${options.dryRun ? c.dim(" (dry run: nothing was removed)") : ""}\n`);
  if (failures === 0) return ExitCode.SUCCESS;
  output.err(`${c.red("error:")} ${plural(failures, "execution")} could not be removed\n`);
  return ExitCode.INVALID_INPUT;
}

/** Registers `pipewright clean`. */
export function registerClean(program: Program, context: CommandContext): void {
  program
    .command("clean")
    .description("Remove old checkpoints, keeping those of runs that may still be resumed")
    .option("--keep <n>", "keep the n newest executions of each pipeline", wholeNumber("--keep", 0))
    .option("--older-than <days>", "remove only executions started more than this many days ago", parseDays)
    .option("--pipeline <name>", "only the executions of this pipeline")
    .option("--force", "also remove executions that may still be resumed (never one whose process is alive here)", false)
    .option("--dry-run", "print what would be removed, remove nothing", false)
    .option("--checkpoint-dir <dir>", "where checkpoints are", DEFAULT_CHECKPOINT_DIR)
    .addHelpText(
      "after",
      `
An execution may still be resumed when it did not succeed (failed, cancelled, or still
running) and no later successful execution of its pipeline resumed from it, directly or
through a chain of resumes. Those are kept unless --force; one whose process is alive on
this machine is always kept. Removing an execution deletes its checkpoint file, its journal
and its map steps' items files.

Examples:
  $ pipewright clean --keep 20 --dry-run
  $ pipewright clean --older-than 30
  $ pipewright clean --pipeline word-stats --keep 5 --older-than 7 --force`,
    )
    .action(async (options: CleanOptions) => {
      context.exit(await cleanCommand(options, context.output));
    });
}
