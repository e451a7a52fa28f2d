import { registerBuildHistories } from "./build-histories-command.js";
import { registerDemoData } from "./demo-data-command.js";
import { registerDeriveMetrics } from "./derive-metrics-command.js";
import { registerFullPipeline } from "./full-pipeline-command.js";
import type { RegisterLabCommand } from "./lab-context.js";
import { registerMetricsOnly } from "./metrics-only-command.js";
import { registerPlots } from "./plot-commands.js";
import { registerQuickStaging } from "./quick-staging-command.js";
import { registerRunPipelineYaml } from "./run-pipeline-yaml-command.js";
import { registerStageAll } from "./stage-all-command.js";
import { registerLabWorker } from "./worker-command.js";

/** Every `process-and-analyze` command, in the order `--help` lists them. */
export const LAB_COMMANDS: readonly RegisterLabCommand[] = [
  registerDemoData,
  registerStageAll,
  registerBuildHistories,
  registerDeriveMetrics,
  registerPlots,
  registerFullPipeline,
  registerQuickStaging,
  registerMetricsOnly,
  registerRunPipelineYaml,
  registerLabWorker,
];
