import type { ExecutionPlan } from "pipewright";
import type { Colors } from "./output.js";

/** What a run would do: every step, run or skip, and why (`pipewright plan`, `run --dry-run`). */
export function formatPlan(pipelineName: string, plan: ExecutionPlan, c: Colors): string {
  const width = Math.max(4, ...plan.steps.map((s) => s.name.length));
  const heading = plan.resumedFrom ? `resuming ${plan.resumedFrom}` : "a fresh run";
  const lines = [`${c.bold(`Plan for ${pipelineName}`)} ${c.dim(`(${heading}; nothing has run)`)}`];
  if (plan.warning) lines.push(c.yellow(`! ${plan.warning}`));
  for (const step of plan.steps) {
    const action = step.action === "skip" ? c.green("✓ skip") : c.cyan("▶ run ");
    const condition = step.condition ? c.dim(`  if: ${step.condition} (decided when it is reached)`) : "";
    lines.push(`  ${action}  ${step.name.padEnd(width)}  ${c.dim(step.reason)}${condition}`);
  }
  const toRun = plan.steps.filter((s) => s.action === "run").length;
  lines.push("", `${toRun} step${toRun === 1 ? "" : "s"} to run, ${plan.steps.length - toRun} restored from the checkpoint`);
  return `${lines.join("\n")}\n`;
}
