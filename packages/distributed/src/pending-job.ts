import type { JobsOptions } from "bullmq";
import type { StepContext } from "pipewright";
import { offAbort, onAbort, type AbortListener } from "./abort-listeners.js";
import type { JobMessage, StepJobData } from "./job-data.js";
import type { JobWaiter } from "./job-waiters.js";
import { describeError } from "./remote-error.js";

/** What a pending job needs from its executor. */
export interface PendingJobOwner {
  /** The job is settled: stop dispatching its events to it. */
  forget(job: PendingJob): void;
  /** The worker's error for a failed job, rebuilt. */
  failure(jobId: string, reason: string): Promise<Error>;
  /** The run was aborted: stop the job wherever it is. */
  cancel(jobId: string, reason: unknown): void;
}

/**
 * The job one `run()` waits for, settled once: by its events, the periodic check, the run's signal,
 * or the executor giving up. Methods rather than closures made per run: a map step makes thousands.
 */
export class PendingJob implements JobWaiter, AbortListener {
  /** Its add went through: from now on, a job not in Redis vanished. */
  added = false;
  /** Consecutive checks that did not find it. */
  missing = 0;
  /** Times it was added again after it vanished. */
  readded = 0;
  /** Settles with the job's result, or rejects with its error or the abort reason. */
  readonly result: Promise<unknown>;
  #settled = false;
  #resolve!: (value: unknown) => void;
  #reject!: (error: Error) => void;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly data: StepJobData,
    readonly opts: JobsOptions,
    readonly ctx: StepContext,
    readonly owner: PendingJobOwner,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    onAbort(ctx.signal, this);
  }

  completed(value: unknown): void {
    if (this.#settle()) this.#resolve(value);
  }

  failed(reason: string): void {
    if (this.#settled) return;
    void this.owner.failure(this.id, reason).then((error) => this.error(error));
  }

  error(error: Error): void {
    if (this.#settle()) this.#reject(error);
  }

  abandoned(error: Error): void {
    this.error(error);
  }

  message(message: JobMessage): void {
    if (this.#settled) return;
    if ("log" in message) this.ctx.log(message.log);
    else this.ctx.progress(message.done, message.total);
  }

  aborted(): void {
    const reason: unknown = this.ctx.signal.reason;
    this.error(reason instanceof Error ? reason : new Error(describeError(reason)));
    this.owner.cancel(this.id, reason);
  }

  /** Marks it settled; false if it already was. */
  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.owner.forget(this);
    offAbort(this.ctx.signal, this);
    return true;
  }
}
