import type { PipelineResult, StepStatus } from "pipewright";
import { formatDuration, type Colors } from "./output.js";

const SYMBOL: Record<StepStatus, string> = {
  pending: "·",
  running: "…",
  success: "✓",
  failed: "✗",
  skipped: "⊘",
  cancelled: "■",
  rolled_back: "↶",
};

/** The end-of-run table: each step's status, attempts and duration, then the totals and the checkpoint. */
export function formatSummary(result: PipelineResult, c: Colors): string {
  const color = (status: StepStatus) =>
    status === "success" ? c.green : status === "failed" ? c.red : status === "pending" ? c.dim : c.yellow;
  const width = Math.max(4, ...result.steps.map((s) => s.name.length));
  const rows = result.steps.map((s) => {
    const status = color(s.status)(`${SYMBOL[s.status]} ${s.status.padEnd(11)}`);
    const attempts = s.resumedFrom ? c.dim("resumed") : String(s.attempts).padStart(7);
    return `  ${s.name.padEnd(width)}  ${status} ${attempts}  ${formatDuration(s.elapsedTime).padStart(8)}`;
  });
  const header = c.dim(`  ${"step".padEnd(width)}  ${"status".padEnd(13)} attempts  duration`);
  const verdict = result.success ? c.green(c.bold("✓ succeeded")) : c.red(c.bold(`✗ ${result.status}`));
  const counts = `${result.successfulSteps} ok · ${result.failedSteps} failed · ${result.skippedSteps} skipped${result.cancelledSteps ? ` · ${result.cancelledSteps} cancelled` : ""}${result.rolledBackSteps ? ` · ${result.rolledBackSteps} rolled back` : ""}`;
  const lines = [
    "",
    header,
    ...rows,
    "",
    `${verdict} ${result.pipelineName} in ${formatDuration(result.totalTime)} — ${counts}`,
  ];
  if (result.checkpointPath) lines.push(c.dim(`Checkpoint: ${result.checkpointPath}`));
  return lines.join("\n") + "\n";
}
