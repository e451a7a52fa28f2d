import type { Command as Program } from "commander";
import { DEFAULT_CHECKPOINT_DIR, ValidationError } from "pipewright";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import { loadPipelineFile } from "./load-pipeline.js";
import type { Output } from "./output.js";
import { collectList, collectParam } from "./params.js";
import { formatPlan } from "./plan-format.js";

export interface PlanOptions {
  param: Record<string, string>;
  registry: string[];
  resume?: string | true;
  checkpointDir: string;
}

/** Prints what a run with these options would run and skip, and why; runs nothing. */
export async function planCommand(file: string, options: PlanOptions, output: Output): Promise<number> {
  const { pipeline, standIns } = await loadPipelineFile(file, options);
  if (standIns.length > 0) {
    // A step's code is part of its fingerprint: without the real commands every step would look changed.
    throw new ValidationError(`plan needs the commands (--registry): their code is part of what resume compares (${standIns.join(", ")})`);
  }
  const plan = await pipeline.plan(options.resume === true ? "latest" : options.resume);
  output.out(formatPlan(pipeline.name, plan, output.colors));
  return ExitCode.SUCCESS;
}

/** Registers `pipewright plan`. */
export function registerPlan(program: Program, context: CommandContext): void {
  program
    .command("plan")
    .description("Show what a run would do — which steps run, which resume would skip, and why — without running anything")
    .argument("<file>", "the pipeline's YAML file")
    .option("-p, --param <KEY=VALUE>", "a value for ${KEY} in the file (repeatable)", collectParam, {})
    .option("-r, --registry <module>", "the commands (their code is part of what resume compares; repeatable)", collectList, [])
    .option("--resume [id]", "plan a resume of the latest execution, or of the one with this id", true)
    .option("--checkpoint-dir <dir>", "where checkpoints are", DEFAULT_CHECKPOINT_DIR)
    .addHelpText(
      "after",
      `
Examples:
  $ pipewright plan pipeline.yml -r ./commands.ts                 # against the latest execution
  $ pipewright plan pipeline.yml -r ./commands.ts --resume 20251107_143022
  $ pipewright run pipeline.yml -r ./commands.ts --resume --dry-run   # the same, from run`,
    )
    .action(async (file: string, options: PlanOptions) => {
      context.exit(await planCommand(file, options, context.output));
    });
}
