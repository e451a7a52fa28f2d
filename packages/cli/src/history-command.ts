import type { Command as Program } from "commander";
import { CheckpointStore, DEFAULT_CHECKPOINT_DIR } from "pipewright";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import type { ExecutionSummary } from "./execution-lookup.js";
import { localDateTime, statusCell, stepCountsText } from "./execution-format.js";
import { wholeNumber } from "./number-options.js";
import { formatDuration, type Colors, type Output } from "./output.js";
import { processLiveness, type Liveness } from "./process-liveness.js";
import { formatTable, type Cell } from "./table.js";

export interface HistoryOptions {
  pipeline?: string;
  limit?: number;
  json: boolean;
  checkpointDir: string;
}

/** `pipewright history`: executions newest first, from the checkpoints' headers alone (fast with many large ones). */
export async function historyCommand(options: HistoryOptions, output: Output): Promise<number> {
  const all = await new CheckpointStore(options.checkpointDir).summaries(options.pipeline);
  const shown = all.slice(0, options.limit);
  const rows = shown.map((s) => ({ summary: s, liveness: s.status === "running" ? processLiveness(s.pid, s.hostname) : undefined }));
  if (options.json) {
    output.out(`${JSON.stringify(rows.map(({ summary, liveness }) => ({ ...summary, ...(liveness && { process: liveness }) })), null, 2)}\n`);
    return ExitCode.SUCCESS;
  }
  const c = output.colors;
  if (shown.length === 0) {
    const which = options.pipeline === undefined ? "" : ` of pipeline "${options.pipeline}"`;
    output.out(`No executions${which} in ${options.checkpointDir}\n`);
    return ExitCode.SUCCESS;
  }
  const table = formatTable(
    [
      { header: "id" },
      { header: "pipeline" },
      { header: "status" },
      { header: "started" },
      { header: "duration", align: "right" },
      { header: "steps" },
      { header: "resumed from" },
    ],
    rows.map(({ summary: s, liveness }) => [
      s.executionId,
      s.pipelineName,
      statusCell(s.status, c, statusText(s, liveness)),
      localDateTime(s.startedAt),
      s.totalTime === undefined ? { text: "—", style: c.dim } : formatDuration(s.totalTime),
      stepsCell(s, c),
      { text: s.resumedFrom ?? "", style: c.dim },
    ]),
    c,
  );
  output.out(`${[table.header, ...table.rows].join("\n")}\n`);
  if (shown.length < all.length) output.out(c.dim(`${shown.length} of ${all.length} executions (--limit ${options.limit})\n`));
  return ExitCode.SUCCESS;
}

/** The step counts; those of a running execution are as of its last snapshot, and its journal may hold more. */
function stepsCell(summary: ExecutionSummary, c: Colors): Cell {
  const text = stepCountsText(summary.stepCounts);
  if (summary.status !== "running") return text;
  return { text: summary.journalBytes > 0 ? `${text} (at the last snapshot)` : text, style: c.dim };
}

/** A running execution whose process is gone crashed: say so, since its checkpoint cannot. */
function statusText(summary: ExecutionSummary, liveness: Liveness | undefined): string | undefined {
  return liveness === "gone" ? `… running (process ${summary.pid} gone)` : undefined;
}

/** Registers `pipewright history`. */
export function registerHistory(program: Program, context: CommandContext): void {
  program
    .command("history")
    .description("List executions, newest first, from their checkpoints")
    .option("--pipeline <name>", "only the executions of this pipeline")
    .option("-n, --limit <n>", "show the newest n only", wholeNumber("--limit", 1))
    .option("--json", "print one JSON array instead of a table", false)
    .option("--checkpoint-dir <dir>", "where checkpoints are", DEFAULT_CHECKPOINT_DIR)
    .addHelpText(
      "after",
      `
The step counts of an execution still running are those of its last snapshot.

Examples:
  $ pipewright history
  $ pipewright history --pipeline word-stats --limit 10
  $ pipewright history --json | jq '.[] | select(.status == "failed") | .executionId'`,
    )
    .action(async (options: HistoryOptions) => {
      context.exit(await historyCommand(options, context.output));
    });
}
