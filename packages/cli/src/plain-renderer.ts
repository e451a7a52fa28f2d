import { formatDuration, type Output } from "./output.js";
import { listen, type EventSource } from "./display/listen.js";
import { count } from "./display/progress-bar.js";

export interface PlainRendererOptions {
  /** The timestamp before each line. @default local time, HH:MM:SS (as in the execution id) */
  formatTime?: (time: number) => string;
}

/** Local wall-clock time `HH:MM:SS`: the execution id is in local time too. */
export function localClockTime(time: number): string {
  const d = new Date(time);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * A line per event, with a timestamp: what goes to a log file or a CI job. No cursor movement; a
 * line for every step that ends; a map step's progress at most every tenth of the way. Built only
 * on the pipeline's events. Returns a function that stops listening.
 */
export function attachPlainRenderer(source: EventSource, output: Output, options: PlainRendererOptions = {}): () => void {
  const c = output.colors;
  const formatTime = options.formatTime ?? localClockTime;
  const line = (time: number, text: string) => output.out(`${c.dim(formatTime(time))} ${text}\n`);
  const lastTenth = new Map<string, number>();
  const items = new Map<string, { done: number; total: number; failed: number }>();
  /** " · 1,000/1,000 items · 3 failed" for a step that reported items. */
  const itemsNote = (step: string) => {
    const p = items.get(step);
    return p ? c.dim(` · ${count(p.done)}/${count(p.total)} items`) + (p.failed ? c.red(` · ${count(p.failed)} failed`) : "") : "";
  };
  return listen(source, {
    pipelineStarted: (e) => {
      line(e.time, `${c.bold(`▶ ${e.pipelineName}`)} ${c.dim(e.executionId)} · ${e.steps.length} step${e.steps.length === 1 ? "" : "s"}${e.resumedFrom ? ` · resuming ${e.resumedFrom}` : ""}`);
    },
    pipelineWarning: (e) => line(e.time, c.yellow(`! ${e.message}`)),
    stepResumed: (e) => line(e.time, `${c.dim("↷")} ${e.step} ${c.dim(`done in ${e.from}, not run again`)}`),
    stepStarted: (e) => line(e.time, `${c.cyan("→")} ${e.step}${e.maxAttempts > 1 ? c.dim(` (attempt ${e.attempt}/${e.maxAttempts})`) : ""}`),
    stepLog: (e) => line(e.time, `  ${c.dim(`${e.step} │`)} ${e.message}`),
    stepRetrying: (e) => line(e.time, `${c.yellow("↻")} ${e.step} ${c.yellow(`failed: ${e.error}`)} ${c.dim(`— attempt ${e.attempt} in ${formatDuration(e.delaySeconds)}`)}`),
    stepSucceeded: (e) => line(e.time, `${c.green("✓")} ${e.step} ${c.dim(formatDuration(e.elapsedTime))}${itemsNote(e.step)}`),
    stepFailed: (e) => line(e.time, `${c.red("✗")} ${e.step} ${c.red(e.error)} ${c.dim(`after ${e.attempts} attempt${e.attempts === 1 ? "" : "s"}`)}${itemsNote(e.step)}`),
    stepSkipped: (e) => line(e.time, `${c.yellow("⊘")} ${e.step} ${c.yellow(`skipped: ${e.reason}`)}${e.error ? c.dim(` — ${e.error}`) : ""}`),
    stepCancelled: (e) => line(e.time, `${c.yellow("■")} ${e.step} ${c.yellow(`cancelled: ${e.reason}`)} ${c.dim(formatDuration(e.elapsedTime))}`),
    stepProgress: (e) => {
      if (e.total === undefined || e.total === 0) return;
      items.set(e.step, { done: e.done, total: e.total, failed: e.failed ?? 0 });
      // A line per tenth of the way (map steps report every item): a log, not a flood.
      const tenth = Math.floor((10 * e.done) / e.total);
      if (tenth === lastTenth.get(e.step)) return;
      lastTenth.set(e.step, tenth);
      line(e.time, `  ${c.dim(`${e.step} │`)} ${count(e.done)}/${count(e.total)}${e.failed ? c.red(` (${count(e.failed)} failed)`) : ""}`);
    },
    stepRolledBack: (e) => line(e.time, `${c.magenta("↶")} ${e.step} rolled back ${c.dim(formatDuration(e.elapsedTime))}`),
    stepRollbackFailed: (e) => line(e.time, `${c.red("↶")} ${e.step} ${c.red(`rollback failed: ${e.error}`)}`),
    hookError: (e) => line(e.time, c.yellow(`! a ${e.event} listener threw: ${e.error}`)),
  });
}
