import { z } from "zod";
import type { StepStatus } from "../types.js";
import type { ExecutionRecord, StepRecord } from "./execution-record.js";

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
    .array(z.object({ attempt: z.number(), error: z.string(), elapsed_time: z.number(), retry_delay: z.number().optional() }))
    .default([]),
  started_at: optionalString,
  finished_at: optionalString,
  output: jsonValue.default(null),
  resumed_from: optionalString,
  skip_reason: optionalString,
  rollback_error: optionalString,
  items_file: optionalString,
  depends_on: z.array(z.string()).default([]),
  group: optionalString,
});

/** Everything before the steps: what listings read (see `CheckpointStore.summaries`). */
const headerSchema = z.object({
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
  origin: jsonValue.default(null),
  // Absent from files written before they existed: readers then count the steps themselves.
  total_steps: z.number().int().nonnegative().optional(),
  step_counts: z.partialRecord(z.enum(statusValues), z.number().int().nonnegative()).optional(),
});

const executionSchema = headerSchema.extend({ steps: z.array(stepSchema) });

/** A journal line: the whole new record of one step. (The execution's own fields change only by compaction.) */
const journalLineSchema = z.object({ step: z.number().int().nonnegative(), record: stepSchema });

export interface JournalEntry {
  step: number;
  record: StepRecord;
}

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
    attempt_errors: step.attemptErrors.map((a) => ({
      attempt: a.attempt,
      error: a.error,
      elapsed_time: a.elapsedTime,
      ...(a.retryDelay !== undefined && { retry_delay: a.retryDelay }),
    })),
    started_at: step.startedAt ?? null,
    finished_at: step.finishedAt ?? null,
    output: step.output,
    resumed_from: step.resumedFrom ?? null,
    skip_reason: step.skipReason ?? null,
    rollback_error: step.rollbackError ?? null,
    ...(step.itemsFile !== undefined && { items_file: step.itemsFile }),
    depends_on: step.dependsOn,
    ...(step.group !== undefined && { group: step.group }),
  };
}


/**
 * The checkpoint file's text, in chunks: the execution's fields one per line, then one line per step.
 * Readable, diffable, and never one huge string (or a second copy of every step) in memory.
 */
export function* checkpointText(
  record: ExecutionRecord,
  lineOf: (step: StepRecord, index: number) => string = stepLine,
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

/** The execution's own fields: everything in the file but its steps, and how many steps stand how (for listings). */
function headerToJson(record: ExecutionRecord) {
  const { totalSteps, stepCounts } = countSteps(record.steps);
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
    total_steps: totalSteps,
    step_counts: stepCounts,
    params: record.params,
    stop_on_error: record.stopOnError,
    enable_rollback: record.enableRollback,
    pid: record.pid,
    hostname: record.hostname,
    origin: record.origin,
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
    attemptErrors: json.attempt_errors.map((a) => ({
      attempt: a.attempt,
      error: a.error,
      elapsedTime: a.elapsed_time,
      ...(a.retry_delay !== undefined && { retryDelay: a.retry_delay }),
    })),
    startedAt: json.started_at,
    finishedAt: json.finished_at,
    elapsedTime: json.elapsed_time,
    error: json.error,
    output: json.output as StepRecord["output"],
    resumedFrom: json.resumed_from,
    skipReason: json.skip_reason,
    rollbackError: json.rollback_error,
    ...(json.items_file !== undefined && { itemsFile: json.items_file }),
    dependsOn: json.depends_on,
    group: json.group,
  };
}

/** An execution without its steps. */
export type ExecutionHeader = Omit<ExecutionRecord, "steps">;

/** How many steps an execution has, in all and by status. */
export interface StepCounts {
  totalSteps: number;
  stepCounts: Record<StepStatus, number>;
}

export function countSteps(steps: ReadonlyArray<Pick<StepRecord, "status">>): StepCounts {
  const stepCounts = Object.fromEntries(statusValues.map((status) => [status, 0])) as Record<StepStatus, number>;
  for (const step of steps) stepCounts[step.status]++;
  return { totalSteps: steps.length, stepCounts };
}

/** Parses a checkpoint file's JSON; throws a message saying which field is wrong. */
export function executionFromJson(data: unknown): ExecutionRecord {
  const rawSteps = (data as { steps?: unknown } | null)?.steps;
  const header = headerSchema.safeParse(data);
  // Resuming a large execution reads thousands of steps: checked by hand (the same rules as
  // `stepSchema`, ≈ 10× faster); zod describes the first problem when there is one.
  const steps = header.success && Array.isArray(rawSteps) ? fastSteps(rawSteps) : undefined;
  if (header.success && steps !== undefined) return { ...headerFields(header.data), steps };
  const parsed = executionSchema.safeParse(data);
  if (!parsed.success) throw new Error(describeIssue(parsed.error));
  return { ...headerFields(parsed.data), steps: parsed.data.steps.map(stepFromJson) };
}

/** The steps as `stepSchema` would read them, or undefined at the first one it would not accept. */
function fastSteps(raw: readonly unknown[]): StepRecord[] | undefined {
  const steps: StepRecord[] = [];
  for (const item of raw) {
    const step = fastStep(item);
    if (step === undefined) return undefined;
    steps.push(step);
  }
  return steps;
}

const STATUSES = new Set<string>(statusValues);

function fastStep(raw: unknown): StepRecord | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const j = raw as Record<string, unknown>;
  const name = j.name;
  const status = j.status;
  if (typeof name !== "string" || typeof status !== "string" || !STATUSES.has(status)) return undefined;
  const elapsed = orDefault(j.elapsed_time, 0, isNumber);
  const command = orDefault(j.command, "", isString);
  const fingerprint = orDefault(j.fingerprint, "", isString);
  const checkpoint = orDefault(j.checkpoint, true, isBoolean);
  const attempts = orDefault(j.attempts, 0, (v): v is number => Number.isInteger(v));
  const dependsOn = orDefault(j.depends_on, [] as string[], (v): v is string[] => Array.isArray(v) && v.every(isString));
  const attemptErrors = orDefault(j.attempt_errors, [] as unknown[], Array.isArray);
  if ([elapsed, command, fingerprint, checkpoint, attempts, dependsOn, attemptErrors].includes(INVALID)) return undefined;
  const errors: StepRecord["attemptErrors"] = [];
  for (const a of attemptErrors as unknown[]) {
    const e = a as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null || !isNumber(e.attempt) || !isString(e.error) || !isNumber(e.elapsed_time)) return undefined;
    if (e.retry_delay !== undefined && !isNumber(e.retry_delay)) return undefined;
    errors.push({ attempt: e.attempt, error: e.error, elapsedTime: e.elapsed_time, ...(e.retry_delay !== undefined && { retryDelay: e.retry_delay }) });
  }
  const text = (key: string): string | undefined | typeof INVALID => {
    const v = j[key];
    return v === undefined || v === null ? undefined : typeof v === "string" ? v : INVALID;
  };
  const optional = ["error", "started_at", "finished_at", "resumed_from", "skip_reason", "rollback_error", "items_file", "group"].map(text);
  if (optional.includes(INVALID)) return undefined;
  const [error, startedAt, finishedAt, resumedFrom, skipReason, rollbackError, itemsFile, group] = optional as (string | undefined)[];
  return {
    name,
    status: status as StepStatus,
    command: command as string,
    fingerprint: fingerprint as string,
    checkpoint: checkpoint as boolean,
    attempts: attempts as number,
    attemptErrors: errors,
    startedAt,
    finishedAt,
    elapsedTime: elapsed as number,
    error,
    output: (j.output === undefined ? null : j.output) as StepRecord["output"],
    resumedFrom,
    skipReason,
    rollbackError,
    ...(itemsFile !== undefined && { itemsFile }),
    dependsOn: dependsOn as string[],
    group,
  };
}

const INVALID = Symbol("invalid");
const isNumber = (v: unknown): v is number => typeof v === "number";
const isString = (v: unknown): v is string => typeof v === "string";
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";

/** A field as zod's `.default()` reads it: absent → the default; present → checked. */
function orDefault<T>(value: unknown, fallback: T, check: (v: unknown) => v is T): T | typeof INVALID {
  if (value === undefined) return fallback;
  return check(value) ? value : INVALID;
}

/**
 * Parses a snapshot's header (the file's fields before `"steps"`), with its step counts when the file
 * has them; throws a message saying which field is wrong.
 */
export function headerFromJson(data: unknown): ExecutionHeader & Partial<StepCounts> {
  const parsed = headerSchema.safeParse(data);
  if (!parsed.success) throw new Error(describeIssue(parsed.error));
  const { total_steps: totalSteps, step_counts: counts } = parsed.data;
  if (totalSteps === undefined || counts === undefined) return headerFields(parsed.data);
  return { ...headerFields(parsed.data), totalSteps, stepCounts: { ...countSteps([]).stepCounts, ...counts } };
}

function headerFields(json: z.infer<typeof headerSchema>): ExecutionHeader {
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
    origin: json.origin as ExecutionRecord["origin"],
  };
}

export function journalEntryFromJson(data: unknown): JournalEntry {
  const parsed = journalLineSchema.safeParse(data);
  if (!parsed.success) throw new Error(describeIssue(parsed.error));
  return { step: parsed.data.step, record: stepFromJson(parsed.data.record) };
}

/** A step as one line of JSON: in the snapshot and, wrapped, in the journal. (A map step's items are in its `items_file`.) */
export function stepLine(step: StepRecord): string {
  return JSON.stringify(stepToJson(step));
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid content";
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  return `${path || "document"}: ${issue.message}`;
}
