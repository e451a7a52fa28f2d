import type { Listener, Pipeline, PipelineEvents } from "pipewright";
import { formatDuration, type Output } from "./output.js";

/**
 * A line per event, with a timestamp: what goes to a log file or a CI job. Built only on the
 * pipeline's events. Returns a function that stops listening.
 */
export function attachPlainRenderer(pipeline: Pipeline, output: Output): () => void {
  const c = output.colors;
  const line = (time: number, text: string) => output.out(`${c.dim(new Date(time).toISOString().slice(11, 19))} ${text}\n`);
  const lastTenth = new Map<string, number>();
  const handlers: { [E in keyof PipelineEvents]?: (e: PipelineEvents[E]) => void } = {
    pipelineStarted: (e) => {
      line(e.time, `${c.bold(`▶ ${e.pipelineName}`)} ${c.dim(e.executionId)} · ${e.steps.length} step${e.steps.length === 1 ? "" : "s"}${e.resumedFrom ? ` · resuming ${e.resumedFrom}` : ""}`);
    },
    pipelineWarning: (e) => line(e.time, c.yellow(`! ${e.message}`)),
    stepResumed: (e) => line(e.time, `${c.dim("↷")} ${e.step} ${c.dim(`done in ${e.from}, not run again`)}`),
    stepStarted: (e) => line(e.time, `${c.cyan("→")} ${e.step}${e.maxAttempts > 1 ? c.dim(` (attempt ${e.attempt}/${e.maxAttempts})`) : ""}`),
    stepLog: (e) => line(e.time, `  ${c.dim(`${e.step} │`)} ${e.message}`),
    stepRetrying: (e) => line(e.time, `${c.yellow("↻")} ${e.step} ${c.yellow(`failed: ${e.error}`)} ${c.dim(`— attempt ${e.attempt} in ${formatDuration(e.delaySeconds)}`)}`),
    stepSucceeded: (e) => line(e.time, `${c.green("✓")} ${e.step} ${c.dim(formatDuration(e.elapsedTime))}`),
    stepFailed: (e) => line(e.time, `${c.red("✗")} ${e.step} ${c.red(e.error)} ${c.dim(`after ${e.attempts} attempt${e.attempts === 1 ? "" : "s"}`)}`),
    stepSkipped: (e) => line(e.time, `${c.yellow("⊘")} ${e.step} ${c.yellow(`skipped: ${e.reason}`)}${e.error ? c.dim(` — ${e.error}`) : ""}`),
    stepCancelled: (e) => line(e.time, `${c.yellow("■")} ${e.step} ${c.yellow(`cancelled: ${e.reason}`)} ${c.dim(formatDuration(e.elapsedTime))}`),
    stepProgress: (e) => {
      // A line per tenth of the way (map steps report every item): a log, not a flood.
      if (e.total === undefined || e.total === 0) return;
      const tenth = Math.floor((10 * e.done) / e.total);
      if (tenth === lastTenth.get(e.step)) return;
      lastTenth.set(e.step, tenth);
      line(e.time, `  ${c.dim(`${e.step} │`)} ${e.done}/${e.total}${e.failed ? c.red(` (${e.failed} failed)`) : ""}`);
    },
    stepRolledBack: (e) => line(e.time, `${c.magenta("↶")} ${e.step} rolled back ${c.dim(formatDuration(e.elapsedTime))}`),
    stepRollbackFailed: (e) => line(e.time, `${c.red("↶")} ${e.step} ${c.red(`rollback failed: ${e.error}`)}`),
    hookError: (e) => line(e.time, c.yellow(`! a ${e.event} listener threw: ${e.error}`)),
  };
  const offs = Object.entries(handlers).map(([event, handler]) =>
    // Each handler is typed for its own event above; the map loses that pairing.
    pipeline.on(event as keyof PipelineEvents, handler as unknown as Listener<keyof PipelineEvents>),
  );
  return () => offs.forEach((off) => off());
}
