import { isAbsolute, resolve } from "node:path";
import type { Command as Program } from "commander";
import { DEFAULT_CHECKPOINT_DIR, ValidationError } from "pipewright";
import type { CommandContext } from "./command-context.js";
import { findExecution } from "./execution-lookup.js";
import { isModulePath } from "./load-registry.js";
import type { Output } from "./output.js";
import { runCommand, type RunOrigin } from "./run-command.js";

interface ResumeOptions {
  checkpointDir: string;
  separateExecution?: boolean;
  discardCheckpoint?: boolean;
}

/**
 * `pipewright resume [ID]`: runs an execution again from its checkpoint, with the file, registries and
 * options `pipewright run` recorded in it (`origin`). Without an ID, the newest execution in the directory.
 */
export async function resumeCommand(id: string | undefined, options: ResumeOptions, output: Output): Promise<number> {
  const { record } = await findExecution(options.checkpointDir, id ?? "latest");
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
      ...(origin.options.tlsCa !== undefined && { tlsCa: fromOrigin(origin.options.tlsCa) }),
      resume: record.executionId,
      separateExecution: options.separateExecution,
      discardCheckpoint: options.discardCheckpoint,
    },
    output,
  );
}

/** Registers `pipewright resume`. */
export function registerResume(program: Program, context: CommandContext): void {
  program
    .command("resume")
    .description("Resume an execution started by `pipewright run`, with the file and options it ran with")
    .argument("[id]", "the execution id, or a unique start of it (default: the newest execution)")
    .option("--checkpoint-dir <dir>", "where checkpoints are", DEFAULT_CHECKPOINT_DIR)
    .option("--separate-execution", "run even while another run of the pipeline holds the checkpoint directory's lock (never beside the execution resumed)")
    .option("--discard-checkpoint", "set the execution's checkpoint aside when it is corrupt (renamed *.corrupt-<time>) and start afresh")
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
