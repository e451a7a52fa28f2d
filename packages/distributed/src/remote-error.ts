import { PermanentError, PipewrightError } from "pipewright";
import type { JobFailure } from "./job-data.js";

/**
 * A command that failed on a worker. Its message is what the engine's `errorMessage` would have said
 * locally ("TypeError: …" for a TypeError, the bare message for an `Error`), so results and
 * checkpoints read the same whichever executor ran the step.
 */
export class RemoteStepError extends Error {
  /** The class of the error on the worker. */
  readonly errorName: string;
  /** The worker that ran the job (`host:pid`), when known. */
  readonly worker: string | undefined;
  constructor(message: string, failure: JobFailure | undefined) {
    super(message);
    this.errorName = failure?.errorName ?? "Error";
    this.worker = failure?.worker;
  }
}

/** The error the executor rejects with: a `PermanentError` stays one, so the engine does not retry it. */
export function remoteError(message: string, failure: JobFailure | undefined): Error {
  return failure?.permanent ? new PermanentError(message) : new RemoteStepError(message, failure);
}

/** Same wording as the engine's `errorMessage`: the engine's own errors and plain `Error`s speak for themselves. */
export function describeError(error: unknown): string {
  if (error instanceof PipewrightError || (error instanceof Error && error.name === "Error")) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
}

/** Whether the engine would treat this error as permanent (by class, or by name across module copies). */
export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError || (error instanceof Error && error.name === "PermanentError");
}
