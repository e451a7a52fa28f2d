import { registerClean } from "./clean-command.js";
import type { RegisterCommand } from "./command-context.js";
import { registerCompletion } from "./completion-command.js";
import { registerGraph } from "./graph-command.js";
import { registerHistory } from "./history-command.js";
import { registerPlan } from "./plan-command.js";
import { registerReport } from "./report/report-command.js";
import { registerResume } from "./resume-command.js";
import { registerRun } from "./run-command.js";
import { registerShow } from "./show-command.js";
import { registerValidate } from "./validate-command.js";
import { registerWorker } from "./worker-command.js";
import { registerWorkers } from "./workers-command.js";

/** Every `pipewright` command, in the order `--help` lists them. Each lives in its own module. */
export const COMMANDS: RegisterCommand[] = [registerRun, registerResume, registerValidate, registerGraph, registerPlan, registerReport, registerHistory, registerShow, registerClean, registerWorker, registerWorkers, registerCompletion];
