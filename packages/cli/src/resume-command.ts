import { isAbsolute, resolve } from "node:path";
import type { Command as Program } from "commander";
import { CheckpointStore, DEFAULT_CHECKPOINT_DIR, ValidationError, type ExecutionRecord } from "pipewright";
import type { CommandContext } from "./command-context.js";
import { isModulePath } from "./load-registry.js";
import type { Output } from "./output.js";
import { runCommand, type RunOrigin } from "./run-command.js";

interface ResumeOptions {
  checkpointDir: string;
}

/**
 * `pipewright resume [ID]`: runs an execution again from its checkpoint, with the file, registries and
 * options `pipewright run` recorded in it (`origin`). Without an ID, the newest execution in the directory.
 */
export async function resumeCommand(id: string | undefined, options: ResumeOptions, output: Output): Promise<number> {
  const record = await findExecution(new CheckpointStore(options.checkpointDir), id);
  const origin = record.origin as unknown as RunOrigin | null;
  if (origin?.command !== "run") {
    throw new ValidationError(
      `Execution ${record.executionId} of "${record.pipelineName}" was not started by \`pipewright run\`, so its file is unknown: ` +
        `resume it with \`pipewright run FILE --resume ${record.executionId}\` (or \`execute({ resumeFrom })\` in code)`,
    );
  }
  if (resolve(origin.cwd) !== process.cwd()) {
    output.err(output.colors.yellow(`! started in ${origin.cwd}: paths the pipeline's steps use are now relative to ${process.cwd()}\n`));
  }
  const fromOrigin = (path: string) => (isAbsolute(path) ? path : resolve(origin.cwd, path));
  return runCommand(
    fromOrigin(origin.file),
    {
      ...origin.options,
      registry: origin.options.registry.map((m) => (isModulePath(m) ? fromOrigin(m) : m)),
      checkpointDir: fromOrigin(origin.options.checkpointDir),
      resume: record.executionId,
    },
    output,
  );
}

/** The execution with this id (or a unique prefix of it), else the newest one. */
async function findExecution(store: CheckpointStore, id: string | undefined): Promise<ExecutionRecord> {
  const executions = await store.list();
  if (executions.length === 0) throw new ValidationError(`No executions in ${store.dir}`);
  if (id === undefined) return (executions[0] as (typeof executions)[number]).record;
  const exact = executions.find((e) => e.record.executionId === id);
  const matches = exact ? [exact] : executions.filter((e) => e.record.executionId.startsWith(id));
  if (matches.length === 1) return (matches[0] as (typeof executions)[number]).record;
  const known = executions.slice(0, 10).map((e) => `${e.record.executionId} (${e.record.pipelineName}, ${e.record.status})`);
  throw new ValidationError(
    matches.length === 0
      ? `No execution ${id} in ${store.dir}; the newest: ${known.join(", ")}`
      : `${matches.length} executions start with ${id}: ${matches.map((e) => e.record.executionId).join(", ")}`,
  );
}

/** Registers `pipewright resume`. */
export function registerResume(program: Program, context: CommandContext): void {
  program
    .command("resume")
    .description("Resume an execution started by `pipewright run`, with the file and options it ran with")
    .argument("[id]", "the execution id, or a unique start of it (default: the newest execution)")
    .option("--checkpoint-dir <dir>", "where checkpoints are", DEFAULT_CHECKPOINT_DIR)
    .addHelpText(
      "after",
      `
Examples:
  $ pipewright resume                      # the newest execution in data/.pipeline_checkpoints
  $ pipewright resume 20251107_143022
  $ pipewright resume 20251107 --checkpoint-dir runs/checkpoints`,
    )
    .action(async (id: string | undefined, options: ResumeOptions) => {
      context.exit(await resumeCommand(id, options, context.output));
    });
}
