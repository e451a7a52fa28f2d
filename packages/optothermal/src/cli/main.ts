import { processOutput, runProgram, type Output } from "@pipewright/cli";
import { LAB_COMMANDS } from "./lab-commands.js";

/** Runs `process-and-analyze` with `argv` (without node and the script); resolves with the exit code. */
export function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  return runProgram(
    {
      name: "process-and-analyze",
      description: "The optothermal lab pipeline: raw instrument CSVs → staged Parquet and manifest → chip histories → metrics → plots.",
      commands: LAB_COMMANDS,
    },
    argv,
    output,
  );
}
