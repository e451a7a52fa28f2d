import { processOutput, type Output } from "./output.js";
import { COMMANDS } from "./commands.js";
import { runProgram } from "./program.js";

/** Runs the `pipewright` command with `argv` (without node and the script); resolves with the exit code. */
export function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  return runProgram(
    { name: "pipewright", description: "Define multi-step data pipelines in YAML or TypeScript and run them safely.", commands: COMMANDS },
    argv,
    output,
  );
}
