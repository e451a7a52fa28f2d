import { ValidationError, type ExecutorSpec } from "pipewright";
import type { Command as Program } from "commander";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import { collectList, collectParam } from "./params.js";
import { loadPipelineFile } from "./load-pipeline.js";
import type { Output } from "./output.js";

export interface ValidateOptions {
  param: Record<string, string>;
  registry: string[];
}

/** `pipewright validate FILE`: every problem at once, each with file:line:column. */
export async function validateCommand(file: string, options: ValidateOptions, output: Output): Promise<number> {
  const c = output.colors;
  const checkCommands = options.registry.length > 0;
  try {
    // The graph is built and checked too, and commands that check their args (exec) do so.
    const { pipeline } = await loadPipelineFile(file, options);
    const steps = pipeline.steps.length;
    const note = checkCommands ? "" : c.dim(" (command names not checked: no --registry given)");
    output.out(`${c.green("✓")} ${file}: pipeline "${pipeline.name}", ${steps} step${steps === 1 ? "" : "s"}${whereStepsRun(pipeline.executor)}${note}\n`);
    return ExitCode.SUCCESS;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const issue of error.issues) {
      const where = issue.location ? `${issue.location.file}:${issue.location.line}:${issue.location.column}` : file;
      output.err(`${c.bold(where)}: ${c.red("error")} ${issue.message}\n`);
    }
    output.err(`${error.issues.length} problem${error.issues.length === 1 ? "" : "s"} in ${file}\n`);
    return ExitCode.INVALID_INPUT;
  }
}

/** `, on BullMQ workers (queue lab)` when the file's `executor:` sends the steps to workers. */
function whereStepsRun(executor: ExecutorSpec | undefined): string {
  if (executor?.type !== "bullmq") return "";
  const { redis, queue, prefix, tls } = executor;
  const details = [redis, queue && `queue ${queue}`, prefix && `prefix ${prefix}`, tls && "TLS"].filter(Boolean);
  return `, on BullMQ workers${details.length > 0 ? ` (${details.join(", ")})` : ""}`;
}

/** Registers `pipewright validate`. */
export function registerValidate(program: Program, context: CommandContext): void {
  program
    .command("validate")
    .description("Check a pipeline file and report every problem with file:line:column")
    .argument("<file>", "the pipeline's YAML file")
    .option("-p, --param <KEY=VALUE>", "a value for ${KEY} in the file (repeatable)", collectParam, {})
    .option("-r, --registry <module>", "check command names against these modules (repeatable)", collectList, [])
    .addHelpText("after", "\nExample:\n  $ pipewright validate pipeline.yml --registry ./commands.ts")
    .action(async (file: string, options: Parameters<typeof validateCommand>[1]) => {
      context.exit(await validateCommand(file, options, context.output));
    });
}
