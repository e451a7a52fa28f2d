import { wholeNumber } from "@pipewright/cli";
import { DEFAULT_MIN_EXPERIMENTS } from "../histories/build-histories.js";
import { fullPipelineSpec, type FullPipelineOptions } from "../pipelines/full-pipeline.js";
import type { LabContext } from "./lab-context.js";
import { registerLabPipeline } from "./lab-pipeline-command.js";
import type { Command as Program } from "commander";

/** `full-pipeline-v2`: the lab's whole pipeline. */
export function registerFullPipeline(program: Program, context: LabContext): void {
  registerLabPipeline<FullPipelineOptions>(program, context, {
    name: "full-pipeline-v2",
    description: "Stage the raw files, build chip histories, derive metrics and plot every chip, with retries, checkpoints and resume",
    examples: ["full-pipeline-v2", "full-pipeline-v2 --workers 4 --rollback", "full-pipeline-v2 --resume"],
    addOptions: (command) =>
      command
        .option("--workers <n>", "files staged in parallel", wholeNumber("--workers", 1), 2)
        .option("--force", "restage and recompute everything, changed or not", false)
        .option("--skip-metrics", "stop after the histories (plots without metrics)", false)
        .option("--group <name>", "only the chips of this group get histories and metrics")
        .option("--min <n>", "chips with fewer runs get no history", wholeNumber("--min", 1), DEFAULT_MIN_EXPERIMENTS),
    spec: fullPipelineSpec,
    flags: (options) => [
      "--workers", String(options.workers), "--min", String(options.min),
      ...(options.force ? ["--force"] : []),
      ...(options.skipMetrics ? ["--skip-metrics"] : []),
      ...(options.group !== undefined ? ["--group", options.group] : []),
    ],
  });
}
