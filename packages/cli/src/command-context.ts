import type { Command as Program } from "commander";
import type { Output } from "./output.js";

/** What a command needs from `main`: where to write, and how to set the exit code. */
export interface CommandContext {
  output: Output;
  exit(code: number): void;
}

/** Adds one command (its options, help and action) to the program. */
export type RegisterCommand = (program: Program, context: CommandContext) => void;
