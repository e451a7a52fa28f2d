import { Command as Program, CommanderError } from "commander";
import { DEFAULT_CHECKPOINT_DIR, PipewrightError } from "pipewright";
import { ExitCode } from "./exit-codes.js";
import { processOutput, type Output } from "./output.js";
import { collectList, collectParam, parseConcurrency } from "./params.js";
import { runCommand } from "./run-command.js";
import { validateCommand } from "./validate-command.js";

/** Runs the `pipewright` command with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  let exitCode: number = ExitCode.SUCCESS;
  const program = new Program("pipewright")
    .description("Define multi-step data pipelines in YAML or TypeScript and run them safely.")
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("run")
    .description("Run a pipeline defined in YAML")
    .argument("<file>", "the pipeline's YAML file")
    .option("-p, --param <KEY=VALUE>", "a value for ${KEY} in the file (repeatable)", collectParam, {})
    .option("-r, --registry <module>", "a JS or TS module exporting commands (repeatable)", collectList, [])
    .option("--rollback", "undo completed steps when the run fails", false)
    .option("--resume [id]", "resume the latest execution of this pipeline, or the one with this id")
    .option("--checkpoint-dir <dir>", "where checkpoints go", DEFAULT_CHECKPOINT_DIR)
    .option("--continue-on-error", "go on after a failed step: only steps that depend on it are skipped (the run still fails)", false)
    .option("-c, --concurrency <n>", "steps (and map items) that run at once (default: the number of CPUs)", parseConcurrency)
    .option("--no-fail-fast", "when a step fails, let the steps already running finish instead of stopping them")
    .addHelpText(
      "after",
      `
Examples:
  $ pipewright run pipeline.yml --registry ./commands.ts
  $ pipewright run analyze-chip.yml -r ./commands.ts --param CHIP_NUMBER=67 --rollback
  $ pipewright run pipeline.yml -r ./commands.ts --resume            # latest execution
  $ pipewright run pipeline.yml -r ./commands.ts --resume 20251107_143022`,
    )
    .action(async (file: string, options: Parameters<typeof runCommand>[1]) => {
      exitCode = await runCommand(file, options, output);
    });

  program
    .command("validate")
    .description("Check a pipeline file and report every problem with file:line:column")
    .argument("<file>", "the pipeline's YAML file")
    .option("-p, --param <KEY=VALUE>", "a value for ${KEY} in the file (repeatable)", collectParam, {})
    .option("-r, --registry <module>", "check command names against these modules (repeatable)", collectList, [])
    .addHelpText("after", "\nExample:\n  $ pipewright validate pipeline.yml --registry ./commands.ts")
    .action(async (file: string, options: Parameters<typeof validateCommand>[1]) => {
      exitCode = await validateCommand(file, options, output);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.SUCCESS : ExitCode.INVALID_INPUT;
    }
    if (error instanceof PipewrightError) {
      output.err(`${output.colors.red("error:")} ${error.message}\n`);
      return ExitCode.INVALID_INPUT;
    }
    throw error;
  }
}
