import type { ExecutionRecord, ItemRecord, StepRecord } from "pipewright";
import { localDateTime, statusCell } from "./execution-format.js";
import { formatDuration, type Colors } from "./output.js";
import { formatTable, type Cell } from "./table.js";

const SHORT_OUTPUT = 100;
const FAILURES_SHOWN = 3;

/** One execution in full: its fields, then a row per step with what it recorded (errors, attempts, output, items) under it. */
export function formatExecution(record: ExecutionRecord, path: string, c: Colors): string {
  const took = record.totalTime === undefined ? "" : ` · took ${formatDuration(record.totalTime)}`;
  const lines = [
    `${c.bold(record.pipelineName)} ${record.executionId}  ${styled(statusCell(record.status, c))}`,
    field("started", `${localDateTime(record.startedAt)}${took} · pid ${record.pid} on ${record.hostname}`, c),
  ];
  if (record.resumedFrom) lines.push(field("resumed", `from ${record.resumedFrom}`, c));
  if (record.description) lines.push(field("about", record.description, c));
  const params = Object.entries(record.params).map(([key, value]) => `${key}=${value}`);
  if (params.length > 0) lines.push(field("params", params.join(" "), c));
  lines.push(field("file", path, c), "");
  const rows: Cell[][] = [];
  const details: string[][] = [];
  let group: string[] = [];
  for (const step of record.steps) {
    // Steps of nested pipelines (`outer/inner`) go under a line naming their pipeline, indented.
    const parts = step.name.split("/");
    const outer = parts.slice(0, -1);
    for (let depth = commonLength(group, outer); depth < outer.length; depth++) {
      rows.push([{ text: `${"  ".repeat(depth)}${outer[depth]}/`, style: c.bold }]);
      details.push([]);
    }
    group = outer;
    const indent = "  ".repeat(outer.length);
    rows.push([
      `${indent}${parts.at(-1)}`,
      statusCell(step.status, c),
      step.resumedFrom ? { text: "resumed", style: c.dim } : String(step.attempts),
      { text: step.startedAt ? localDateTime(step.startedAt).slice(11) : "", style: c.dim },
      step.status === "pending" ? "" : formatDuration(step.elapsedTime),
    ]);
    details.push(stepDetails(step, c).map((line) => `${indent}    ${line}`));
  }
  const table = formatTable(
    [{ header: "step" }, { header: "status" }, { header: "attempts", align: "right" }, { header: "started" }, { header: "duration", align: "right" }],
    rows,
    c,
  );
  lines.push(table.header);
  table.rows.forEach((row, i) => lines.push(row, ...(details[i] ?? [])));
  return `${lines.join("\n")}\n`;
}

/** What a step recorded beyond its row: why it did not run, its errors, every failed attempt, its output, its items. */
function stepDetails(step: StepRecord, c: Colors): string[] {
  const lines: string[] = [];
  if (step.resumedFrom) lines.push(c.dim(`done in ${step.resumedFrom}, not run again`));
  if (step.skipReason) lines.push(`${c.dim("reason:")} ${step.skipReason}`);
  if (step.error) lines.push(`${c.dim("error:")} ${c.red(step.error)}`);
  const onlyTheError = step.attemptErrors.length === 1 && step.attemptErrors[0]?.error === step.error;
  if (!onlyTheError) {
    for (const a of step.attemptErrors) lines.push(`${c.dim(`attempt ${a.attempt} failed after ${formatDuration(a.elapsedTime)}:`)} ${a.error}`);
  }
  if (step.rollbackError) lines.push(`${c.dim("rollback failed:")} ${c.red(step.rollbackError)}`);
  if (step.items) lines.push(...itemLines(step.items, c));
  if (step.output !== null && step.output !== undefined) lines.push(`${c.dim("output:")} ${c.dim(shortJson(step.output))}`);
  return lines;
}

/** A map step's items: how many succeeded, failed and did not run, and the first failures. */
function itemLines(items: ReadonlyArray<ItemRecord | null>, c: Colors): string[] {
  const succeeded = items.filter((item) => item?.status === "success").length;
  const failures = items.flatMap((item, index) => (item?.status === "failed" ? [{ index, error: item.error ?? "" }] : []));
  const notRun = items.length - succeeded - failures.length;
  const failed = `${failures.length} failed`;
  const lines = [`${c.dim("items:")} ${succeeded} ok · ${failures.length > 0 ? c.red(failed) : failed} · ${notRun} not run ${c.dim(`(${items.length} in all)`)}`];
  for (const f of failures.slice(0, FAILURES_SHOWN)) lines.push(`${c.dim(`item ${f.index}:`)} ${c.red(f.error)}`);
  if (failures.length > FAILURES_SHOWN) lines.push(c.dim(`and ${failures.length - FAILURES_SHOWN} more failed items (--json lists them all)`));
  return lines;
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? "";
  return text.length <= SHORT_OUTPUT ? text : `${text.slice(0, SHORT_OUTPUT - 1)}…`;
}

function field(label: string, value: string, c: Colors): string {
  return `  ${c.dim(label.padEnd(8))} ${value}`;
}

function styled(cell: Cell): string {
  return typeof cell === "string" ? cell : cell.style(cell.text);
}

function commonLength(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
