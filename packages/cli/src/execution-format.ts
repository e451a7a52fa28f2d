import type { ExecutionStatus, StepStatus } from "pipewright";
import type { Colors } from "./output.js";
import type { Cell } from "./table.js";

/** The symbols of step and execution statuses, everywhere the CLI shows one. */
export const STATUS_SYMBOL: Record<StepStatus | ExecutionStatus, string> = {
  pending: "·",
  running: "…",
  success: "✓",
  failed: "✗",
  skipped: "⊘",
  cancelled: "■",
  rolled_back: "↶",
};

/** A status's colour: green, red, dim (pending) or yellow. */
export function statusColor(status: StepStatus | ExecutionStatus, c: Colors): (text: string) => string {
  return status === "success" ? c.green : status === "failed" ? c.red : status === "pending" ? c.dim : c.yellow;
}

/** A status as the run summary shows it: symbol and word, in its colour. */
export function statusCell(status: StepStatus | ExecutionStatus, c: Colors, text = `${STATUS_SYMBOL[status]} ${status}`): Cell {
  return { text, style: statusColor(status, c) };
}

/** A recorded ISO time as local date and time (execution ids are local time too): `2025-11-07 14:30:22`. */
export function localDateTime(iso: string | undefined): string {
  const d = iso === undefined ? new Date(NaN) : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso ?? "";
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Step counts as the run summary words them (`6 ok · 0 failed · 0 skipped`), plus the other statuses that occur. */
export function stepCountsText(counts: Readonly<Record<StepStatus, number>>): string {
  const others: Array<[StepStatus, string]> = [
    ["cancelled", "cancelled"],
    ["rolled_back", "rolled back"],
    ["running", "running"],
    ["pending", "not run"],
  ];
  const extra = others.filter(([status]) => counts[status] > 0).map(([status, word]) => ` · ${counts[status]} ${word}`);
  return `${counts.success} ok · ${counts.failed} failed · ${counts.skipped} skipped${extra.join("")}`;
}

/** "1 execution", "3 executions". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
