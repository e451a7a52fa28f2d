/** Base class of every error the engine raises on purpose. */
export class PipewrightError extends Error {
  override name = "PipewrightError";
}

/**
 * Throw from a command to fail the step at once, without the remaining retries
 * (a validation error, a missing file: retrying will not help).
 * @example throw new PermanentError(`Missing input ${path}`);
 */
export class PermanentError extends PipewrightError {
  override name = "PermanentError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Where in a file a problem is. Lines and columns start at 1. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One problem in a pipeline definition. */
export interface ValidationIssue {
  message: string;
  location?: SourceLocation;
}

/** A pipeline definition (in code or YAML) that cannot run; lists every problem found. */
export class ValidationError extends PipewrightError {
  override name = "ValidationError";
  readonly issues: readonly ValidationIssue[];
  constructor(issues: ValidationIssue[] | string) {
    const list = typeof issues === "string" ? [{ message: issues }] : issues;
    super(list.map(formatIssue).join("\n"));
    this.issues = list;
  }
}

export function formatIssue(issue: ValidationIssue): string {
  const where = issue.location
    ? `${issue.location.file}:${issue.location.line}:${issue.location.column}: `
    : "";
  return `${where}${issue.message}`;
}

/** A checkpoint that cannot be read or written. Names the file. */
export class CheckpointError extends PipewrightError {
  override name = "CheckpointError";
  readonly path: string;
  constructor(message: string, path: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/**
 * A checkpoint file that cannot be parsed (not one a crash can leave: a torn last journal line is
 * ignored). Resume stops on it rather than guess; `discardCorruptCheckpoint` sets it aside.
 */
export class CorruptCheckpointError extends CheckpointError {
  override name = "CorruptCheckpointError";
}

/** Who runs an execution: the process (id and host), since when, and the execution's id when known. */
export interface RunHolder {
  pid: number;
  host: string;
  /** ISO time. */
  startedAt: string;
  executionId: string | undefined;
}

/** What a `ConcurrentRunError` is about. */
export interface ConcurrentRunDetails {
  /**
   * `locked`: another run of the pipeline holds the lock of its checkpoint directory;
   * `still-running`: the execution to resume is still running.
   */
  reason: "locked" | "still-running";
  pipelineName: string;
  checkpointDir: string;
  holder: RunHolder;
  /** The lock file, when a lock is what refused the run. */
  lockPath: string | undefined;
}

/**
 * A run refused because another one is going on: the pipeline's lock in its checkpoint directory is
 * held by a live process, or the execution to resume is still running. Names that process.
 */
export class ConcurrentRunError extends PipewrightError {
  override name = "ConcurrentRunError";
  readonly details: ConcurrentRunDetails;
  /**
   * @param separateHint how the caller asks for a separate execution, as the message should say it
   *   (the CLI passes its flag).
   */
  constructor(details: ConcurrentRunDetails, separateHint = "`separateExecution: true` in `execute()`") {
    super(concurrentRunMessage(details, separateHint));
    this.details = details;
  }
}

function concurrentRunMessage(d: ConcurrentRunDetails, separateHint: string): string {
  const h = d.holder;
  const who = `process ${h.pid} on ${h.host}`;
  if (d.reason === "still-running") {
    return (
      `Execution ${h.executionId ?? "?"} of pipeline "${d.pipelineName}" is still running (${who}, since ${h.startedAt}): ` +
      `resuming it now would run its steps twice. Wait for it to end, or stop it, then resume.`
    );
  }
  const execution = h.executionId === undefined ? "" : `, execution ${h.executionId}`;
  const lock = d.lockPath === undefined ? "" : ` If ${who} is no longer running this pipeline, delete ${d.lockPath}.`;
  return (
    `Pipeline "${d.pipelineName}" is already running with checkpoints in ${d.checkpointDir}: ${who} holds its lock since ${h.startedAt}${execution}. ` +
    `Wait for it to end, or start a separate execution, which neither takes nor checks the lock (${separateHint}).${lock}`
  );
}

/** A step that failed all its attempts; carries the step and the last cause. */
export class StepFailedError extends PipewrightError {
  override name = "StepFailedError";
  readonly step: string;
  readonly attempts: number;
  constructor(message: string, options: { step: string; attempts: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.step = options.step;
    this.attempts = options.attempts;
  }
}

/**
 * The message of anything thrown, with its class when that says more than "Error" (`TypeError: ...`);
 * the engine's own errors (`PermanentError`, ...) speak for themselves.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof PipewrightError || (error instanceof Error && error.name === "Error")) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
}
