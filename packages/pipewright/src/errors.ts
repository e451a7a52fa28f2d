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
