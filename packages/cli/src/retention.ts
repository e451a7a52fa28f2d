import type { ExecutionSummary } from "./execution-lookup.js";
import type { Liveness } from "./process-liveness.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Which executions `clean` looks at: those beyond the `keep` newest of their pipeline and older than `olderThanDays`. */
export interface CleanSelection {
  keep?: number;
  olderThanDays?: number;
  /** Remove selected executions that may still be resumed too (never one whose process is alive here). */
  force: boolean;
  /** Milliseconds since the epoch. */
  now: number;
}

export interface Verdict {
  execution: ExecutionSummary;
  remove: boolean;
  reason: string;
}

/**
 * The executions that a later successful execution of their pipeline resumed from, directly or through
 * a chain of resumes (A failed, B resumed A and failed, C resumed B and succeeded: A and B), each
 * mapped to the id of that successful execution.
 */
export function resumedToSuccess(executions: readonly ExecutionSummary[]): Map<ExecutionSummary, string> {
  const key = (pipeline: string, id: string) => `${pipeline}\u0000${id}`;
  const byKey = new Map(executions.map((e) => [key(e.pipelineName, e.executionId), e]));
  const finishedBy = new Map<ExecutionSummary, string>();
  for (const success of executions.filter((e) => e.status === "success")) {
    for (let from = success.resumedFrom; from !== undefined; ) {
      const previous = byKey.get(key(success.pipelineName, from));
      if (!previous || finishedBy.has(previous)) break;
      finishedBy.set(previous, success.executionId);
      from = previous.resumedFrom;
    }
  }
  return finishedBy;
}

/**
 * For every execution (newest first), whether `clean` removes it, and why. A selected execution that
 * may still be resumed is kept unless `force`: one that did not succeed (failed, cancelled, or running —
 * live or crashed) and that no later successful execution resumed (`resumedToSuccess`). One whose
 * process is alive on this machine is always kept.
 */
export function planClean(
  executions: readonly ExecutionSummary[],
  selection: CleanSelection,
  liveness: (execution: ExecutionSummary) => Liveness,
): Verdict[] {
  const finished = resumedToSuccess(executions);
  const rank = new Map<string, number>();
  return executions.map((execution) => {
    const newer = rank.get(execution.pipelineName) ?? 0;
    rank.set(execution.pipelineName, newer + 1);
    const keep = (reason: string): Verdict => ({ execution, remove: false, reason });
    const remove = (reason: string): Verdict => ({ execution, remove: true, reason });
    if (selection.keep !== undefined && newer < selection.keep) {
      return keep(`${selection.keep === 1 ? "the newest" : `one of the ${selection.keep} newest`} of ${execution.pipelineName}`);
    }
    const days = selection.olderThanDays;
    if (days !== undefined && Date.parse(execution.startedAt) > selection.now - days * DAY_MS) {
      return keep(`started less than ${days} day${days === 1 ? "" : "s"} ago`);
    }
    if (execution.status === "success") return remove("succeeded");
    const owner = execution.status === "running" ? liveness(execution) : undefined;
    if (owner === "alive") return keep(`running: process ${execution.pid} is alive on this machine`);
    const finishedBy = finished.get(execution);
    if (finishedBy !== undefined) return remove(`resumed to success by ${finishedBy}`);
    const why =
      owner === "gone"
        ? `running, but its process ${execution.pid} is gone`
        : owner === "unknown"
          ? `running on ${execution.hostname || "another machine"}`
          : `${execution.status}, not resumed to success`;
    return selection.force ? remove(`--force: ${why}`) : keep(`may still be resumed: ${why} (--force removes it)`);
  });
}
