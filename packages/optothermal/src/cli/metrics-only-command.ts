import type { Command as Program } from "commander";
import { wholeNumber } from "@pipewright/cli";
import { metricsOnlySpec, type MetricsOnlyOptions } from "../pipelines/metrics-only.js";
import type { LabContext } from "./lab-context.js";
import { registerLabPipeline } from "./lab-pipeline-command.js";

/** `metrics-only`: the metrics of what is already staged, as a pipeline. */
export function registerMetricsOnly(program: Program, context: LabContext): void {
  registerLabPipeline<MetricsOnlyOptions>(program, context, {
    name: "metrics-only",
    description: "Derive the metrics of the staged runs (no staging, no histories)",
    examples: ["metrics-only", "metrics-only --group Alisson --workers 4 --force"],
    addOptions: (command) =>
      command
        .option("--group <name>", "only the runs of this chip group")
        .option("--workers <n>", "runs measured in parallel", wholeNumber("--workers", 1), 2)
        .option("--force", "recompute runs that are up to date", false),
    spec: metricsOnlySpec,
    flags: (options) => [
      "--workers", String(options.workers),
      ...(options.force ? ["--force"] : []),
      ...(options.group !== undefined ? ["--group", options.group] : []),
    ],
  });
}
