import { z } from "zod";
import type { ExecutionRecord, ItemRecord, StepRecord } from "./execution-record.js";

/**
 * The checkpoint file, in the original tool's snake_case format (`pipeline_name`, `execution_id`,
 * `timestamp`, `steps[{name, status, elapsed_time, error}]`) plus what resume and history need.
 */
const jsonValue: z.ZodType<unknown> = z.unknown();
const optionalString = z.string().nullish().transform((v) => v ?? undefined);
const statusValues = ["pending", "running", "success", "failed", "skipped", "cancelled", "rolled_back"] as const;

const stepSchema = z.object({
  name: z.string(),
  status: z.enum(statusValues),
  elapsed_time: z.number().default(0),
  error: optionalString,
  command: z.string().default(""),
  fingerprint: z.string().default(""),
  checkpoint: z.boolean().default(true),
  attempts: z.number().int().default(0),
  attempt_errors: z
    .array(z.object({ attempt: z.number(), error: z.string(), elapsed_time: z.number() }))
    .default([]),
  started_at: optionalString,
  finished_at: optionalString,
  output: jsonValue.default(null),
  resumed_from: optionalString,
  skip_reason: optionalString,
  rollback_error: optionalString,
  // Items are checked by itemFromJson: zod over 100,000 of them would cost more than the rest of a resume.
  items: z.array(z.unknown()).optional(),
});

const executionSchema = z.object({
  pipeline_name: z.string(),
  execution_id: z.string(),
  timestamp: z.string(),
  description: optionalString,
  status: z.enum(["running", "success", "failed", "cancelled"]).default("failed"),
  finished_at: optionalString,
  total_time: z.number().nullish().transform((v) => v ?? undefined),
  resumed_from: optionalString,
  params: z.record(z.string(), z.string()).default({}),
  stop_on_error: z.boolean().default(true),
  enable_rollback: z.boolean().default(false),
  pid: z.number().default(0),
  hostname: z.string().default(""),
  steps: z.array(stepSchema),
});

/** A journal line: the whole new record of one step. (The execution's own fields change only by compaction.) */
const journalLineSchema = z.object({ step: z.number().int().nonnegative(), record: stepSchema });

/** A journal line: the new record of one step, or of one item of a map step. */
export type JournalEntry = { step: number; record: StepRecord } | { step: number; item: number; itemRecord: ItemRecord };

function stepToJson(step: StepRecord) {
  return {
    name: step.name,
    status: step.status,
    elapsed_time: step.elapsedTime,
    error: step.error ?? null,
    command: step.command,
    fingerprint: step.fingerprint,
    checkpoint: step.checkpoint,
    attempts: step.attempts,
    attempt_errors: step.attemptErrors.map((a) => ({ attempt: a.attempt, error: a.error, elapsed_time: a.elapsedTime })),
    started_at: step.startedAt ?? null,
    finished_at: step.finishedAt ?? null,
    output: step.output,
    resumed_from: step.resumedFrom ?? null,
    skip_reason: step.skipReason ?? null,
    rollback_error: step.rollbackError ?? null,
  };
}

/**
 * An item as JSON text, built by hand: a map step writes one per item, 100,000 at a time. A null output
 * and a missing error are left out (most items have one or the other).
 */
export function itemJson(item: ItemRecord): string {
  const output = item.output === null ? "" : `,"output":${JSON.stringify(item.output)}`;
  const error = item.error === undefined ? "" : `,"error":${JSON.stringify(item.error)}`;
  return `{"key":${JSON.stringify(item.key)},"status":"${item.status}","attempts":${item.attempts}${output}${error}}`;
}

/** Checks one item by hand (see stepSchema.items). */
function itemFromJson(json: unknown): ItemRecord | null {
  if (json === null) return null;
  const item = json as Record<string, unknown>;
  const valid =
    typeof json === "object" &&
    typeof item.key === "string" &&
    (item.status === "success" || item.status === "failed") &&
    typeof item.attempts === "number" &&
    (item.error === null || item.error === undefined || typeof item.error === "string");
  if (!valid) throw new Error(`item: expected { key, status: "success" | "failed", attempts, output, error }, got ${JSON.stringify(json)?.slice(0, 200)}`);
  return { key: item.key as string, status: item.status as ItemRecord["status"], attempts: item.attempts as number, output: (item.output ?? null) as ItemRecord["output"], error: (item.error ?? undefined) as string | undefined };
}

/**
 * The checkpoint file's text, in chunks: the execution's fields one per line, then one line per step.
 * Readable, diffable, and never one huge string (or a second copy of every step) in memory.
 */
export function* checkpointText(
  record: ExecutionRecord,
  lineOf: (step: StepRecord, index: number) => string = (step) => stepLine(step),
): Generator<string> {
  const header = JSON.stringify(headerToJson(record), null, 2).slice(0, -2); // without the closing "\n}"
  let chunk = `${header},\n  "steps": [`;
  for (const [i, step] of record.steps.entries()) {
    chunk += `${i === 0 ? "" : ","}\n    ${lineOf(step, i)}`;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = "";
    }
  }
  yield `${chunk}${record.steps.length > 0 ? "\n  " : ""}]\n}\n`;
}

/** The execution's own fields: everything in the file but its steps. */
function headerToJson(record: ExecutionRecord) {
  return {
    format: "pipewright-checkpoint/1",
    pipeline_name: record.pipelineName,
    execution_id: record.executionId,
    timestamp: record.startedAt,
    description: record.description ?? null,
    status: record.status,
    finished_at: record.finishedAt ?? null,
    total_time: record.totalTime ?? null,
    resumed_from: record.resumedFrom ?? null,
    params: record.params,
    stop_on_error: record.stopOnError,
    enable_rollback: record.enableRollback,
    pid: record.pid,
    hostname: record.hostname,
  };
}

function stepFromJson(json: z.infer<typeof stepSchema>): StepRecord {
  return {
    name: json.name,
    status: json.status,
    command: json.command,
    fingerprint: json.fingerprint,
    checkpoint: json.checkpoint,
    attempts: json.attempts,
    attemptErrors: json.attempt_errors.map((a) => ({ attempt: a.attempt, error: a.error, elapsedTime: a.elapsed_time })),
    startedAt: json.started_at,
    finishedAt: json.finished_at,
    elapsedTime: json.elapsed_time,
    error: json.error,
    output: json.output as StepRecord["output"],
    resumedFrom: json.resumed_from,
    skipReason: json.skip_reason,
    rollbackError: json.rollback_error,
    ...(json.items && { items: json.items.map(itemFromJson) }),
  };
}

/** Parses a checkpoint file's JSON; throws a message saying which field is wrong. */
export function executionFromJson(data: unknown): ExecutionRecord {
  const parsed = executionSchema.safeParse(data);
  if (!parsed.success) throw new Error(describeIssue(parsed.error));
  const json = parsed.data;
  return {
    pipelineName: json.pipeline_name,
    description: json.description,
    executionId: json.execution_id,
    status: json.status,
    startedAt: json.timestamp,
    finishedAt: json.finished_at,
    totalTime: json.total_time,
    resumedFrom: json.resumed_from,
    params: json.params,
    stopOnError: json.stop_on_error,
    enableRollback: json.enable_rollback,
    pid: json.pid,
    hostname: json.hostname,
    steps: json.steps.map(stepFromJson),
  };
}

export function journalEntryFromJson(data: unknown): JournalEntry {
  const line = data as { step?: unknown; item?: unknown; record?: unknown } | null;
  if (typeof line?.item === "number" && typeof line.step === "number") {
    const itemRecord = itemFromJson(line.record);
    if (!itemRecord || !Number.isInteger(line.item) || line.item < 0) throw new Error("item line: expected a finished item at a position ≥ 0");
    return { step: line.step, item: line.item, itemRecord };
  }
  const parsed = journalLineSchema.safeParse(data);
  if (!parsed.success) throw new Error(describeIssue(parsed.error));
  return { step: parsed.data.step, record: stepFromJson(parsed.data.record) };
}

/**
 * A step as one line of JSON, in the snapshot. A map step's items go in only here: `itemText` gives each
 * item's JSON (cached by the caller, so restored items are not serialized again for every snapshot).
 */
export function stepLine(step: StepRecord, itemText: (item: ItemRecord) => string = itemJson): string {
  const json = JSON.stringify(stepToJson(step));
  if (!step.items) return json;
  return `${json.slice(0, -1)},"items":[${step.items.map((item) => (item ? itemText(item) : "null")).join(",")}]}`;
}

/**
 * A step's journal line. Without its items: each has its own line, and writing 100,000 of them again
 * whenever the step changes would cost more than the items themselves. Replay keeps the items it has.
 */
export function stepJournalLine(index: number, step: StepRecord): string {
  return `{"step":${index},"record":${JSON.stringify(stepToJson(step))}}\n`;
}

/** The journal line of item `item` of map step `step`. */
export function itemJournalLine(step: number, item: number, record: ItemRecord): string {
  return `{"step":${step},"item":${item},"record":${itemJson(record)}}\n`;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid content";
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  return `${path || "document"}: ${issue.message}`;
}
