import type { Command as Program } from "commander";
import { runWithDisplay, wholeNumber, type DisplayOptions } from "@pipewright/cli";
import { Pipeline, shellQuote } from "pipewright";
import { DEFAULT_MIN_EXPERIMENTS } from "../histories/build-histories.js";
import { fullPipelineSpec, type FullPipelineOptions } from "../pipelines/full-pipeline.js";
import { LAB_REGISTRY } from "../pipelines/lab-registry.js";
import type { LabContext } from "./lab-context.js";
import { formatPipelineOutputs } from "./pipeline-outputs.js";

interface FullPipelineCommandOptions extends FullPipelineOptions, DisplayOptions {
  rollback: boolean;
  resume?: string | true;
  saveYaml?: string;
}

/** Registers `full-pipeline-v2`: the lab's whole pipeline, run by the engine with the live display. */
export function registerFullPipeline(program: Program, context: LabContext): void {
  program
    .command("full-pipeline-v2")
    .description("Stage the raw files and build the chip histories, with retries, checkpoints and resume")
    .option("--rollback", "undo completed steps when a later one fails", false)
    .option("--resume [id]", "resume the latest execution, or the one with this id")
    .option("--workers <n>", "files staged in parallel", wholeNumber("--workers", 1), 2)
    .option("--force", "restage and rebuild everything, changed or not", false)
    .option("--group <name>", "only the chips of this group get histories")
    .option("--min <n>", "chips with fewer runs get no history", wholeNumber("--min", 1), DEFAULT_MIN_EXPERIMENTS)
    .option("--save-yaml <file>", "write the pipeline as YAML (for run-pipeline-yaml) instead of running it")
    .option("--json", "one JSON object per event on stdout, for other programs")
    .option("-q, --quiet", "print only errors and the final verdict line")
    .option("-v, --verbose", "print step logs in full")
    .addHelpText(
      "after",
      "\nExamples:\n  $ process-and-analyze full-pipeline-v2\n  $ process-and-analyze full-pipeline-v2 --workers 4 --rollback\n  $ process-and-analyze full-pipeline-v2 --resume",
    )
    .action(async (options: FullPipelineCommandOptions) => {
      const pipeline = Pipeline.fromSpec(fullPipelineSpec(options), LAB_REGISTRY);
      if (options.saveYaml !== undefined) {
        await pipeline.toYaml(options.saveYaml);
        context.output.out(`Wrote ${options.saveYaml}: run it with \`process-and-analyze run-pipeline-yaml ${options.saveYaml}\`\n`);
        return;
      }
      const { exitCode, result } = await runWithDisplay(
        pipeline,
        { enableRollback: options.rollback, resumeFrom: options.resume === true ? "latest" : options.resume },
        context.output,
        options,
        (executionId) => ["process-and-analyze", "full-pipeline-v2", ...flagsOf(options), "--resume", executionId].map(shellQuote).join(" "),
      );
      if (result.success && !options.quiet && !options.json) context.output.out(formatPipelineOutputs(result, context.output.colors));
      context.exit(exitCode);
    });
}

/** The options as command-line flags, for the resume hint. */
function flagsOf(options: FullPipelineCommandOptions): string[] {
  const flags = ["--workers", String(options.workers), "--min", String(options.min)];
  if (options.rollback) flags.push("--rollback");
  if (options.force) flags.push("--force");
  if (options.group !== undefined) flags.push("--group", options.group);
  return flags;
}
