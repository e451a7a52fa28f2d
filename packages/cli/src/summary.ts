import type { PipelineResult, StepStatus } from "pipewright";
import { STATUS_SYMBOL, statusColor } from "./execution-format.js";
import { formatDuration, type Colors } from "./output.js";


/**
 * The end-of-run table: each step's status, attempts and duration (and `notes`, by step name: a
 * map step's items), then the verdict, the total time and the checkpoint.
 */
export function formatSummary(result: PipelineResult, c: Colors, notes: ReadonlyMap<string, string> = new Map()): string {
  const color = (status: StepStatus) => statusColor(status, c);
  const width = Math.max(4, ...result.steps.map((s) => s.name.length));
  const rows = result.steps.map((s) => {
    const status = color(s.status)(`${STATUS_SYMBOL[s.status]} ${s.status.padEnd(11)}`);
    const attempts = s.resumedFrom ? c.dim("resumed") : String(s.attempts).padStart(7);
    const note = notes.get(s.name);
    return `  ${s.name.padEnd(width)}  ${status} ${attempts}  ${formatDuration(s.elapsedTime).padStart(8)}${note ? `  ${note}` : ""}`;
  });
  const header = c.dim(`  ${"step".padEnd(width)}  ${"status".padEnd(13)} attempts  duration`);
  const lines = ["", header, ...rows, "", formatVerdict(result, c)];
  if (result.checkpointPath) lines.push(c.dim(`Checkpoint: ${result.checkpointPath}`));
  return lines.join("\n") + "\n";
}

/** The one line that says how the run ended: "✓ succeeded NAME in 0.28s — 6 ok · 0 failed · 0 skipped". */
export function formatVerdict(result: PipelineResult, c: Colors): string {
  const verdict = result.success ? c.green(c.bold("✓ succeeded")) : c.red(c.bold(`✗ ${result.status}`));
  const counts = `${result.successfulSteps} ok · ${result.failedSteps} failed · ${result.skippedSteps} skipped${result.cancelledSteps ? ` · ${result.cancelledSteps} cancelled` : ""}${result.rolledBackSteps ? ` · ${result.rolledBackSteps} rolled back` : ""}`;
  return `${verdict} ${result.pipelineName} in ${formatDuration(result.totalTime)} — ${counts}`;
}
