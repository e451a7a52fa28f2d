import type { Command as Program } from "commander";
import { DEFAULT_CHECKPOINT_DIR, Pipeline, shellQuote, type Json } from "pipewright";
import type { CommandContext } from "./command-context.js";
import { addExecutorOptions, executorFlagWords, recordableExecutorFlags, withExecutor, type ExecutorFlags } from "./executor-options.js";
import { loadRegistry } from "./load-registry.js";
import { collectList, collectParam, parseConcurrency } from "./params.js";
import { planCommand } from "./plan-command.js";
import type { Output } from "./output.js";
import type { DisplayOptions } from "./renderer.js";
import { runWithDisplay } from "./run-with-display.js";

export interface RunOptions extends DisplayOptions, ExecutorFlags {
  param: Record<string, string>;
  registry: string[];
  rollback: boolean;
  resume?: string | true;
  checkpointDir: string;
  continueOnError: boolean;
  concurrency?: number;
  failFast: boolean;
  dryRun?: boolean;
  /** Run even while another run of the pipeline holds the lock of the checkpoint directory. */
  separateExecution?: boolean;
  /** Set a corrupt checkpoint aside instead of stopping on it. */
  discardCheckpoint?: boolean;
}

/** What a run's checkpoint records so that `pipewright resume` can run it again (`origin`). */
export interface RunOrigin {
  command: "run";
  cwd: string;
  file: string;
  /** With the executor flags (a resume runs where the run ran), never a Redis password. */
  options: Omit<RunOptions, "resume" | "dryRun" | "separateExecution" | "discardCheckpoint" | "password" | keyof DisplayOptions>;
}

/** `pipewright run FILE`: loads, runs with a live log, prints the summary; resolves with the exit code. */
export async function runCommand(file: string, options: RunOptions, output: Output): Promise<number> {
  if (options.dryRun) return planCommand(file, options, output);
  const registry = await loadRegistry(options.registry);
  const pipeline = await Pipeline.fromYaml(file, registry, { params: options.param, checkpointDir: options.checkpointDir });
  const { exitCode } = await withExecutor(options, options.concurrency, (choice) =>
    runWithDisplay(
      pipeline,
      {
        enableRollback: options.rollback,
        resumeFrom: options.resume === true ? "latest" : options.resume,
        stopOnError: !options.continueOnError,
        ...choice,
        failFast: options.failFast,
        params: options.param,
        separateExecution: options.separateExecution ?? false,
        discardCorruptCheckpoint: options.discardCheckpoint ?? false,
        origin: runOrigin(file, options) as unknown as Json,
      },
      output,
      options,
      (executionId) => resumeCommand(file, options, executionId),
    ),
    pipeline.executor,
  );
  return exitCode;
}

function runOrigin(file: string, options: RunOptions): RunOrigin {
  // How the run looked is no part of what to run again: a resume picks its own display.
  // Nor is running beside another run: a resume asks for that again if it needs to.
  const { resume: _resume, dryRun: _dryRun, separateExecution: _separate, discardCheckpoint: _discard, json: _json, quiet: _quiet, verbose: _verbose, ...rest } =
    options;
  return { command: "run", cwd: process.cwd(), file, options: recordableExecutorFlags(rest) };
}

/** The exact command line that resumes this execution. */
function resumeCommand(file: string, options: RunOptions, executionId: string): string {
  const words = ["pipewright", "run", file];
  for (const module of options.registry) words.push("--registry", module);
  for (const [key, value] of Object.entries(options.param)) words.push("--param", `${key}=${value}`);
  if (options.rollback) words.push("--rollback");
  if (options.continueOnError) words.push("--continue-on-error");
  if (options.concurrency !== undefined) words.push("--concurrency", String(options.concurrency));
  if (!options.failFast) words.push("--no-fail-fast");
  if (options.checkpointDir !== DEFAULT_CHECKPOINT_DIR) words.push("--checkpoint-dir", options.checkpointDir);
  words.push(...executorFlagWords(options));
  words.push("--resume", executionId);
  return words.map(shellQuote).join(" ");
}

/** Registers `pipewright run`. */
export function registerRun(program: Program, context: CommandContext): void {
  const command = program
    .command("run")
    .description("Run a pipeline defined in YAML")
    .argument("<file>", "the pipeline's YAML file")
    .option("-p, --param <KEY=VALUE>", "a value for ${KEY} in the file (repeatable)", collectParam, {})
    .option("-r, --registry <module>", "a JS or TS module exporting commands (repeatable)", collectList, [])
    .option("--rollback", "undo completed steps when the run fails", false)
    .option("--resume [id]", "resume the latest execution of this pipeline, or the one with this id")
    .option("--checkpoint-dir <dir>", "where checkpoints go", DEFAULT_CHECKPOINT_DIR)
    .option("--continue-on-error", "go on after a failed step: only steps that depend on it are skipped (the run still fails)", false)
    .option("-c, --concurrency <n>", "steps (and map items) that run at once (default: the number of CPUs; with --executor bullmq, the live workers' total, at least 16)", parseConcurrency)
    .option("--no-fail-fast", "when a step fails, let the steps already running finish instead of stopping them")
    .option("--json", "one JSON object per event on stdout (newline-delimited), for other programs; the summary goes to stderr")
    .option("-q, --quiet", "print only errors and the final verdict line")
    .option("-v, --verbose", "in the live display, print step logs and errors in full instead of cut to the terminal width")
    .option("--dry-run", "show what would run and what resume would skip, and why; run nothing (as `pipewright plan`)")
    .option("--separate-execution", "run even while another run of this pipeline holds the checkpoint directory's lock, as an execution of its own")
    .option("--discard-checkpoint", "with --resume: set a corrupt checkpoint aside (renamed *.corrupt-<time>) and go on instead of stopping");
  addExecutorOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ pipewright run pipeline.yml --registry ./commands.ts
  $ pipewright run analyze-chip.yml -r ./commands.ts --param CHIP_NUMBER=67 --rollback
  $ pipewright run pipeline.yml -r ./commands.ts --resume            # latest execution
  $ pipewright run pipeline.yml -r ./commands.ts --resume 20251107_143022
  $ pipewright run pipeline.yml -r ./commands.ts --resume --dry-run  # what would run, and why
  $ pipewright run pipeline.yml -r ./commands.ts --separate-execution  # beside a run already going on
  $ pipewright run pipeline.yml -r ./commands.ts --executor bullmq --redis redis://queue-host:6379  # on \`pipewright worker\`s`,
    )
    .action(async (file: string, options: Parameters<typeof runCommand>[1]) => {
      context.exit(await runCommand(file, options, context.output));
    });
}
