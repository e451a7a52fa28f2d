import type { Command as Program } from "commander";
import { CheckpointStore, DEFAULT_CHECKPOINT_DIR } from "pipewright";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import { formatExecution } from "./execution-details.js";
import { localDateTime, plural, statusCell } from "./execution-format.js";
import { lookUpExecution, type ExecutionSummary } from "./execution-lookup.js";
import type { Output } from "./output.js";
import { processLiveness } from "./process-liveness.js";
import { formatTable } from "./table.js";

export interface ShowOptions {
  pipeline?: string;
  json: boolean;
  checkpointDir: string;
}

const RECENT_SHOWN = 5;

/** `pipewright show ID`: one execution's steps in full; ID may be the unique start of an execution id. */
export async function showCommand(id: string, options: ShowOptions, output: Output): Promise<number> {
  const c = output.colors;
  const store = new CheckpointStore(options.checkpointDir);
  const summaries = await store.summaries(options.pipeline);
  const lookup = lookUpExecution(summaries, id);
  if (lookup.kind !== "found") {
    const where = `${options.checkpointDir}${options.pipeline === undefined ? "" : ` (pipeline "${options.pipeline}")`}`;
    if (lookup.kind === "ambiguous") {
      output.err(`${c.red("error:")} "${id}" matches ${plural(lookup.candidates.length, "execution")} in ${where}; give more of the id${options.pipeline === undefined ? " or --pipeline" : ""}:\n`);
      output.err(candidateTable(lookup.candidates, output));
    } else if (summaries.length === 0) {
      output.err(`${c.red("error:")} no execution "${id}": there are no executions in ${where}\n`);
    } else {
      output.err(`${c.red("error:")} no execution "${id}" in ${where}; the latest are:\n`);
      output.err(candidateTable(summaries.slice(0, RECENT_SHOWN), output));
    }
    return ExitCode.INVALID_INPUT;
  }
  const { path } = lookup.execution;
  const record = await store.load(path);
  if (options.json) {
    output.out(`${JSON.stringify({ path, ...record }, null, 2)}\n`);
    return ExitCode.SUCCESS;
  }
  output.out(formatExecution(record, path, c));
  if (record.status === "running" && processLiveness(record.pid, record.hostname) === "gone") {
    output.out(c.yellow(`\n! process ${record.pid} is gone: this execution stopped without finishing; \`pipewright resume ${record.executionId}\` resumes it\n`));
  }
  return ExitCode.SUCCESS;
}

function candidateTable(candidates: readonly ExecutionSummary[], output: Output): string {
  const c = output.colors;
  const table = formatTable(
    [{ header: "id" }, { header: "pipeline" }, { header: "status" }, { header: "started" }],
    candidates.map((s) => [s.executionId, s.pipelineName, statusCell(s.status, c), localDateTime(s.startedAt)]),
    c,
  );
  return `${[table.header, ...table.rows].join("\n")}\n`;
}

/** Registers `pipewright show`. */
export function registerShow(program: Program, context: CommandContext): void {
  program
    .command("show")
    .description("Show one execution's steps: status, attempts, times, errors, outputs, map items")
    .argument("<id>", "an execution id, or enough of its start to be unique (see `pipewright history`)")
    .option("--pipeline <name>", "look among this pipeline's executions only (when two pipelines share an id)")
    .option("--json", "print the whole execution as JSON (outputs and items in full)", false)
    .option("--checkpoint-dir <dir>", "where checkpoints are", DEFAULT_CHECKPOINT_DIR)
    .addHelpText(
      "after",
      `
Examples:
  $ pipewright show 20251107_143022
  $ pipewright show 20251107_14             # the one execution whose id starts so
  $ pipewright show 20251107_143022 --json | jq '.steps[] | select(.status == "failed")'`,
    )
    .action(async (id: string, options: ShowOptions) => {
      context.exit(await showCommand(id, options, context.output));
    });
}
