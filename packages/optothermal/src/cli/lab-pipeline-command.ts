import type { Command as Program } from "commander";
import { addExecutorOptions, executorFlagWords, runWithDisplay, withExecutor, type DisplayOptions, type ExecutorFlags } from "@pipewright/cli";
import { Pipeline, shellQuote, type PipelineSpec } from "pipewright";
import { LAB_REGISTRY } from "../pipelines/lab-registry.js";
import type { LabContext } from "./lab-context.js";
import { formatPipelineOutputs } from "./pipeline-outputs.js";

/** What every pre-defined lab pipeline command accepts besides its own options. */
export interface LabPipelineOptions extends DisplayOptions, ExecutorFlags {
  rollback: boolean;
  resume?: string | true;
  saveYaml?: string;
  separateExecution?: boolean;
  discardCheckpoint?: boolean;
}

/** A pre-defined pipeline: its command name, its own options, and how they become the pipeline. */
export interface LabPipelineDefinition<Options> {
  name: string;
  description: string;
  examples: string[];
  addOptions(command: Program): void;
  spec(options: Options): PipelineSpec;
  /** The options as command-line flags, for the command that resumes. */
  flags(options: Options): string[];
}

/**
 * Registers a pre-defined pipeline as a command: built from its options, run by the engine with the
 * live display, checkpoints and resume (`--resume`), or written out as YAML (`--save-yaml`) for
 * `run-pipeline-yaml`.
 */
export function registerLabPipeline<Options extends object>(program: Program, context: LabContext, definition: LabPipelineDefinition<Options>): void {
  const command = program.command(definition.name).description(definition.description);
  definition.addOptions(command);
  command.option("--save-yaml <file>", "write the pipeline as YAML (for run-pipeline-yaml) instead of running it");
  addLabRunOptions(command)
    .addHelpText("after", `\nExamples:\n${definition.examples.map((example) => `  $ process-and-analyze ${example}`).join("\n")}`)
    .action(async (options: Options & LabPipelineOptions) => {
      const pipeline = Pipeline.fromSpec(definition.spec(options), LAB_REGISTRY);
      if (options.saveYaml !== undefined) {
        await pipeline.toYaml(options.saveYaml);
        context.output.out(`Wrote ${options.saveYaml}: run it with \`process-and-analyze run-pipeline-yaml ${options.saveYaml}\`\n`);
        return;
      }
      const words = (executionId: string) => [
        "process-and-analyze", definition.name, ...definition.flags(options), ...(options.rollback ? ["--rollback"] : []), ...executorFlagWords(options), "--resume", executionId,
      ];
      context.exit(await runLabPipeline(pipeline, options, context, (executionId) => words(executionId).map(shellQuote).join(" ")));
    });
}

/** The options every way of running a lab pipeline takes: rollback, resume, the lock, the display, the executor. */
export function addLabRunOptions(command: Program): Program {
  command
    .option("--rollback", "undo completed steps when a later one fails", false)
    .option("--resume [id]", "resume the latest execution, or the one with this id")
    .option("--separate-execution", "run even while another run of this pipeline holds its checkpoint directory")
    .option("--discard-checkpoint", "with --resume: set a corrupt checkpoint aside and go on instead of stopping")
    .option("--json", "one JSON object per event on stdout, for other programs")
    .option("-q, --quiet", "print only errors and the final verdict line")
    .option("-v, --verbose", "print step logs in full");
  return addLabExecutorOptions(command);
}

/**
 * `--executor bullmq --redis URL [--queue] [--prefix] [--password] [--tls]`: the steps run on
 * `process-and-analyze worker`s (started in the same project directory: the lab's paths are relative).
 */
function addLabExecutorOptions(command: Program): Program {
  return addExecutorOptions(command);
}

/** Runs a lab pipeline with the display (locally, or on workers with `--executor bullmq`); after a success, says where the outputs are. Resolves with the exit code. */
export async function runLabPipeline(
  pipeline: Pipeline,
  options: LabPipelineOptions & { param?: Record<string, string> },
  context: LabContext,
  resumeHint: (executionId: string) => string,
): Promise<number> {
  const { exitCode, result } = await withExecutor(options, undefined, (choice) =>
    runWithDisplay(
      pipeline,
      {
        enableRollback: options.rollback,
        resumeFrom: options.resume === true ? "latest" : options.resume,
        params: options.param,
        separateExecution: options.separateExecution ?? false,
        discardCorruptCheckpoint: options.discardCheckpoint ?? false,
        ...choice,
      },
      context.output,
      options,
      resumeHint,
    ),
    pipeline.executor,
  );
  if (result.success && !options.quiet && !options.json) context.output.out(formatPipelineOutputs(result, context.output.colors));
  return exitCode;
}
