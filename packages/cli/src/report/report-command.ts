import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command as Program } from "commander";
import { DEFAULT_CHECKPOINT_DIR } from "pipewright";
import type { CommandContext } from "../command-context.js";
import { ExitCode } from "../exit-codes.js";
import type { Output } from "../output.js";
import { findExecution } from "../execution-lookup.js";
import { renderReport } from "./report-html.js";

export interface ReportOptions {
  output?: string;
  pipeline?: string;
  checkpointDir: string;
}

/** `pipewright report ID`: writes one execution's HTML report; resolves with the exit code. */
export async function reportCommand(id: string, options: ReportOptions, output: Output): Promise<number> {
  const { path, record } = await findExecution(options.checkpointDir, id, options.pipeline);
  const file = options.output ?? `report-${record.executionId}.html`;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderReport(record, { checkpointPath: path }));
  output.out(`${output.colors.green("✓")} Report of ${record.pipelineName} ${record.executionId} (${record.status}) written to ${file}\n`);
  return ExitCode.SUCCESS;
}

/** Registers `pipewright report`. */
export function registerReport(program: Program, context: CommandContext): void {
  program
    .command("report")
    .description("Write an execution's HTML report: summary, timeline, graph and errors, in one self-contained file")
    .argument("<id>", 'an execution id, a unique prefix of one, or "latest"')
    .option("-o, --output <file>", "where to write the report (default: report-<executionId>.html)")
    .option("--pipeline <name>", "look among this pipeline's executions only (when two pipelines share an id)")
    .option("--checkpoint-dir <dir>", "where checkpoints are", DEFAULT_CHECKPOINT_DIR)
    .addHelpText(
      "after",
      `
Examples:
  $ pipewright report latest
  $ pipewright report 20251107_1430 -o report.html --checkpoint-dir data/.pipeline_checkpoints`,
    )
    .action(async (id: string, options: ReportOptions) => {
      context.exit(await reportCommand(id, options, context.output));
    });
}
