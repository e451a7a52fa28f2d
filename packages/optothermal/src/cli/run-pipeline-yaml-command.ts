import type { Command as Program } from "commander";
import { collectParam, executorFlagWords } from "@pipewright/cli";
import { Pipeline, shellQuote } from "pipewright";
import { LAB_REGISTRY } from "../pipelines/lab-registry.js";
import type { LabContext } from "./lab-context.js";
import { addLabRunOptions, runLabPipeline, type LabPipelineOptions } from "./lab-pipeline-command.js";

interface RunPipelineYamlOptions extends LabPipelineOptions {
  param: Record<string, string>;
}

/** `run-pipeline-yaml FILE`: a pipeline from YAML with every lab command in its registry. */
export function registerRunPipelineYaml(program: Program, context: LabContext): void {
  const command = program
    .command("run-pipeline-yaml")
    .description("Run a pipeline defined in YAML, with every lab command available (see config/pipelines/)")
    .argument("<file>", "the pipeline's YAML file")
    .option("-p, --param <KEY=VALUE>", "a value for ${KEY} in the file (repeatable)", collectParam, {});
  addLabRunOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ process-and-analyze run-pipeline-yaml packages/optothermal/config/pipelines/quick-staging.yml
  $ process-and-analyze run-pipeline-yaml analyze-chip.yml --param CHIP_NUMBER=67 --rollback
  $ process-and-analyze run-pipeline-yaml quick-staging.yml --executor bullmq --redis redis://queue-host:6379`,
    )
    .action(async (file: string, options: RunPipelineYamlOptions) => {
      const pipeline = await Pipeline.fromYaml(file, LAB_REGISTRY, { params: options.param });
      const words = (executionId: string) => [
        "process-and-analyze", "run-pipeline-yaml", file,
        ...Object.entries(options.param).flatMap(([key, value]) => ["--param", `${key}=${value}`]),
        ...(options.rollback ? ["--rollback"] : []),
        ...executorFlagWords(options),
        "--resume", executionId,
      ];
      context.exit(await runLabPipeline(pipeline, options, context, (executionId) => words(executionId).map(shellQuote).join(" ")));
    });
}
