import { ConcurrentRunError, type ExecuteOptions, type Pipeline, type PipelineResult } from "pipewright";
import { ExitCode } from "./exit-codes.js";
import type { Output } from "./output.js";
import { attachRenderer, type DisplayOptions } from "./renderer.js";

/**
 * Runs a pipeline the way `pipewright run` does: the live display (or plain/JSON lines), Ctrl-C or
 * SIGTERM cancels (a second Ctrl-C quits at once), the summary, why steps failed and the command that
 * resumes. Resolves with the exit code and the result. Other commands built on pipewright (the lab's
 * pipelines) use it too.
 */
export async function runWithDisplay(
  pipeline: Pipeline,
  execute: Omit<ExecuteOptions, "signal">,
  output: Output,
  display: DisplayOptions,
  resumeHint: (executionId: string) => string,
): Promise<{ exitCode: number; result: PipelineResult }> {
  const renderer = attachRenderer(pipeline, output, display);
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (cancel.signal.aborted) process.exit(ExitCode.INTERRUPTED); // a second Ctrl-C: leave at once
    renderer.notice(output.colors.yellow(`\n${signal}: stopping (press Ctrl-C again to quit at once)\n`));
    cancel.abort(new Error(`interrupted by ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await pipeline.execute({ ...execute, signal: cancel.signal }).catch((error: unknown) => {
      // The same message, naming the command line's way to ask for a separate execution.
      throw error instanceof ConcurrentRunError ? new ConcurrentRunError(error.details, "`--separate-execution`") : error;
    });
    renderer.finish(result);
    if (result.success) return { exitCode: ExitCode.SUCCESS, result };
    for (const step of result.steps.filter((s) => s.status === "failed")) {
      output.err(`${output.colors.red(`Step ${step.name} failed:`)} ${step.error}\n`);
    }
    output.err(`Resume with: ${resumeHint(result.executionId)}\n`);
    return { exitCode: result.status === "cancelled" ? ExitCode.INTERRUPTED : ExitCode.PIPELINE_FAILED, result };
  } finally {
    renderer.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
