import type { RegisterCommand } from "./command-context.js";
import { registerGraph } from "./graph-command.js";
import { registerPlan } from "./plan-command.js";
import { registerResume } from "./resume-command.js";
import { registerRun } from "./run-command.js";
import { registerValidate } from "./validate-command.js";

/** Every `pipewright` command, in the order `--help` lists them. Each lives in its own module. */
export const COMMANDS: RegisterCommand[] = [registerRun, registerResume, registerValidate, registerGraph, registerPlan];
