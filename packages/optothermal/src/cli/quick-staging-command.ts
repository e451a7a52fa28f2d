import type { Command as Program } from "commander";
import { wholeNumber } from "@pipewright/cli";
import { quickStagingSpec, type QuickStagingOptions } from "../pipelines/quick-staging.js";
import type { LabContext } from "./lab-context.js";
import { registerLabPipeline } from "./lab-pipeline-command.js";

/** `quick-staging`: only the staging, as a pipeline (checkpoint, retries, resume). */
export function registerQuickStaging(program: Program, context: LabContext): void {
  registerLabPipeline<QuickStagingOptions>(program, context, {
    name: "quick-staging",
    description: "Stage new raw files only (no histories, no metrics)",
    examples: ["quick-staging", "quick-staging --workers 4 --force"],
    addOptions: (command) =>
      command
        .option("--workers <n>", "files staged in parallel", wholeNumber("--workers", 1), 2)
        .option("--force", "restage files that are unchanged", false),
    spec: quickStagingSpec,
    flags: (options) => ["--workers", String(options.workers), ...(options.force ? ["--force"] : [])],
  });
}
