import { Command as Program, CommanderError } from "commander";
import { PipewrightError } from "pipewright";
import type { RegisterCommand, CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import type { Output } from "./output.js";

/** A command-line program: its name, what it does, and its commands. */
export interface ProgramDefinition {
  name: string;
  description: string;
  commands: readonly RegisterCommand[];
}

/**
 * Builds the commander program and runs it with `argv` (without node and the script); resolves with
 * the exit code. A `PipewrightError` — a user's mistake — is one `error:` line and exit 2, never a
 * stack trace. `pipewright` and the lab's `process-and-analyze` are both this.
 */
export async function runProgram(definition: ProgramDefinition, argv: readonly string[], output: Output): Promise<number> {
  let exitCode: number = ExitCode.SUCCESS;
  const program = new Program(definition.name)
    .description(definition.description)
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .showHelpAfterError("(run with --help for usage)");

  const context: CommandContext = { output, exit: (code) => (exitCode = code) };
  for (const register of definition.commands) register(program, context);

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
