import type { Command as Program } from "commander";
import type { Output } from "@pipewright/cli";

/** What a `process-and-analyze` command needs from `main`: where to write, and how to set the exit code. */
export interface LabContext {
  output: Output;
  exit(code: number): void;
}

/** Adds one command (its options, help and action) to the program. */
export type RegisterLabCommand = (program: Program, context: LabContext) => void;
