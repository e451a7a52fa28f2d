import { registerDemoData } from "./demo-data-command.js";
import type { RegisterLabCommand } from "./lab-context.js";
import { registerStageAll } from "./stage-all-command.js";

/** Every `process-and-analyze` command, in the order `--help` lists them. */
export const LAB_COMMANDS: readonly RegisterLabCommand[] = [registerDemoData, registerStageAll];
