import { Command as Program, CommanderError } from "commander";
import { ExitCode, processOutput, type Output } from "@pipewright/cli";
import { PipewrightError } from "pipewright";
import { LAB_COMMANDS } from "./lab-commands.js";
import type { LabContext } from "./lab-context.js";

/** Runs `process-and-analyze` with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  let exitCode: number = ExitCode.SUCCESS;
  const program = new Program("process-and-analyze")
    .description("The optothermal lab pipeline: raw instrument CSVs → staged Parquet and manifest → chip histories.")
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .showHelpAfterError("(run with --help for usage)");

  const context: LabContext = { output, exit: (code) => (exitCode = code) };
  for (const register of LAB_COMMANDS) register(program, context);

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.SUCCESS : ExitCode.INVALID_INPUT;
    }
    // A user's mistake (a missing folder, a bad catalogue, rejected files in --strict): the message, no stack.
    if (error instanceof PipewrightError) {
      output.err(`${output.colors.red("error:")} ${error.message}\n`);
      return ExitCode.INVALID_INPUT;
    }
    throw error;
  }
}
