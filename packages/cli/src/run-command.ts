import { DEFAULT_CHECKPOINT_DIR, Pipeline, shellQuote } from "pipewright";
import { ExitCode } from "./exit-codes.js";
import { loadRegistry } from "./load-registry.js";
import type { Output } from "./output.js";
import { attachPlainRenderer } from "./plain-renderer.js";
import { formatSummary } from "./summary.js";

export interface RunOptions {
  param: Record<string, string>;
  registry: string[];
  rollback: boolean;
  resume?: string | true;
  checkpointDir: string;
  continueOnError: boolean;
  concurrency?: number;
  failFast: boolean;
}

/** `pipewright run FILE`: loads, runs with a live log, prints the summary; resolves with the exit code. */
export async function runCommand(file: string, options: RunOptions, output: Output): Promise<number> {
  const registry = await loadRegistry(options.registry);
  const pipeline = await Pipeline.fromYaml(file, registry, { params: options.param, checkpointDir: options.checkpointDir });
  attachPlainRenderer(pipeline, output);

  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (cancel.signal.aborted) process.exit(ExitCode.INTERRUPTED); // a second Ctrl-C: leave at once
    output.err(output.colors.yellow(`\n${signal}: stopping (press Ctrl-C again to quit at once)\n`));
    cancel.abort(new Error(`interrupted by ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await pipeline.execute({
      enableRollback: options.rollback,
      resumeFrom: options.resume === true ? "latest" : options.resume,
      stopOnError: !options.continueOnError,
      concurrency: options.concurrency,
      failFast: options.failFast,
      params: options.param,
      signal: cancel.signal,
    });
    output.out(formatSummary(result, output.colors));
    if (result.success) return ExitCode.SUCCESS;
    for (const step of result.steps.filter((s) => s.status === "failed")) {
      output.err(`${output.colors.red(`Step ${step.name} failed:`)} ${step.error}\n`);
    }
    output.err(`Resume with: ${resumeCommand(file, options, result.executionId)}\n`);
    return result.status === "cancelled" ? ExitCode.INTERRUPTED : ExitCode.PIPELINE_FAILED;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
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
  words.push("--resume", executionId);
  return words.map(shellQuote).join(" ");
}
