import { Command as Program, CommanderError } from "commander";
import { PipewrightError } from "pipewright";
import { ExitCode } from "./exit-codes.js";
import { processOutput, type Output } from "./output.js";
import type { CommandContext } from "./command-context.js";
import { COMMANDS } from "./commands.js";

/** Runs the `pipewright` command with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  let exitCode: number = ExitCode.SUCCESS;
  const program = new Program("pipewright")
    .description("Define multi-step data pipelines in YAML or TypeScript and run them safely.")
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .showHelpAfterError("(run with --help for usage)");

  const context: CommandContext = { output, exit: (code) => (exitCode = code) };
  for (const register of COMMANDS) register(program, context);

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
