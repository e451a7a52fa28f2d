import type { CommandContext, RegisterCommand } from "@pipewright/cli";

/** What a `process-and-analyze` command needs from `main`: where to write, and how to set the exit code (as for `pipewright`'s). */
export type LabContext = CommandContext;

/** Adds one command (its options, help and action) to the program. */
export type RegisterLabCommand = RegisterCommand;
