import type { ExecutionStatus, StepRecord, StepStatus } from "pipewright";

/** A step's status as the report shows it: a success restored by resume is told apart from one that ran. */
export type DisplayStatus = StepStatus | "restored";

export function displayStatus(step: Pick<StepRecord, "status" | "resumedFrom">): DisplayStatus {
  return step.status === "success" && step.resumedFrom !== undefined ? "restored" : step.status;
}

const LABELS: Record<DisplayStatus | ExecutionStatus, string> = {
  pending: "· pending",
  running: "… running",
  success: "✓ success",
  restored: "↺ restored",
  failed: "✗ failed",
  skipped: "⊘ skipped",
  cancelled: "■ cancelled",
  rolled_back: "↶ rolled back",
};

/** A status pill: its symbol and word, coloured by the `st-<status>` class (see styles.ts). */
export function statusPill(status: DisplayStatus | ExecutionStatus): string {
  return `<span class="pill st-${status}">${LABELS[status]}</span>`;
}
