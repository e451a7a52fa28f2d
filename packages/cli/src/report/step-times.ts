import type { ExecutionRecord, StepRecord } from "pipewright";

/** How an attempt ended: `retried` when another attempt followed it; else as its step ended. */
export type AttemptOutcome = "retried" | "success" | "failed" | "skipped" | "cancelled" | "rolled_back" | "running";

/** One attempt of a step, in seconds since the run started. */
export interface AttemptSegment {
  attempt: number;
  start: number;
  end: number;
  outcome: AttemptOutcome;
  error: string | undefined;
}

/** Where a step that ran in this execution sits on the run's time line, in seconds since the run started. */
export interface StepTiming {
  start: number;
  end: number;
  segments: AttemptSegment[];
}

const millis = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

/** Seconds from the run's start to its end (or to the last thing recorded, for a run that never finished); never 0. */
export function runSpan(record: ExecutionRecord): number {
  const start = millis(record.startedAt);
  let span = record.totalTime ?? 0;
  for (const step of record.steps) {
    if (step.resumedFrom !== undefined) continue;
    const end = millis(step.finishedAt ?? step.startedAt);
    if (!Number.isNaN(end)) span = Math.max(span, (end - start) / 1000);
  }
  return span > 0 ? span : 1;
}

/**
 * A step's bar and its attempts, or undefined when it did not run in this execution (restored by
 * resume: its times are the old run's; skipped or pending: it never started). The checkpoint records
 * when each failed attempt ended (seconds since the step started) and the wait before the next one, so
 * the waits show as gaps between segments (checkpoints older than that: a segment includes the wait).
 */
export function stepTiming(step: StepRecord, runStart: number, span: number): StepTiming | undefined {
  if (step.resumedFrom !== undefined || step.startedAt === undefined) return undefined;
  const start = Math.max(0, (millis(step.startedAt) - runStart) / 1000);
  const finished = millis(step.finishedAt);
  const end = Number.isNaN(finished) ? span : Math.max(start, (finished - runStart) / 1000);
  const failedAt = new Map(step.attemptErrors.map((a) => [a.attempt, a]));
  const segments: AttemptSegment[] = [];
  let from = start;
  const attempts = Math.max(1, step.attempts);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const failure = failedAt.get(attempt);
    const last = attempt === attempts;
    const to = last ? end : Math.min(end, Math.max(from, start + (failure?.elapsedTime ?? 0)));
    const outcome: AttemptOutcome = !last ? "retried" : step.finishedAt === undefined ? "running" : lastOutcome(step);
    segments.push({ attempt, start: from, end: to, outcome, error: failure?.error });
    from = Math.min(end, to + (failure?.retryDelay ?? 0));
  }
  return { start, end, segments };
}

function lastOutcome(step: StepRecord): AttemptOutcome {
  return step.status === "pending" || step.status === "running" ? "running" : step.status;
}
