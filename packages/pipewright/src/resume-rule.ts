import type { StepRecord } from "./checkpoint/execution-record.js";
import { StepStatus } from "./types.js";

/**
 * What resume does with a step, given its record in the execution resumed: the one rule that `execute`
 * follows and `plan` explains. `restore`: it succeeded there unchanged, it is not run again. Otherwise it
 * runs, and `why` says why; an unchanged map step that did not finish keeps its succeeded items.
 */
export type ResumeDecision =
  | { action: "restore" }
  | { action: "run"; why: "not-in-previous" | "not-checkpointed" | "changed" | "not-succeeded" };

export function resumeDecision(old: StepRecord | undefined, fingerprint: string, checkpointed: boolean): ResumeDecision {
  if (!old) return { action: "run", why: "not-in-previous" };
  if (!checkpointed || !old.checkpoint) return { action: "run", why: "not-checkpointed" };
  if (old.fingerprint !== fingerprint) return { action: "run", why: "changed" };
  return old.status === StepStatus.SUCCESS ? { action: "restore" } : { action: "run", why: "not-succeeded" };
}
