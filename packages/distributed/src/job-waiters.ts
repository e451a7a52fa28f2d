import type { QueueEvents } from "bullmq";
import type { JobMessage } from "./job-data.js";

/** What one waiting `run()` wants to hear about its job. */
export interface JobWaiter {
  completed(value: unknown): void;
  failed(reason: string): void;
  message(message: JobMessage): void;
  /** The executor closed, or lost Redis for too long, while the job ran: nobody will hear how it ends. */
  abandoned(error: Error): void;
}

/**
 * One listener per event kind, dispatching by job id: a `waitUntilFinished` per job would add
 * listeners per job (hundreds at once for a map step) and test every event against each of them.
 */
export class JobWaiters {
  readonly #waiters = new Map<string, JobWaiter>();

  /** Dispatches the events of `events` (the waiters may be added before, while it connects). */
  listen(events: QueueEvents): void {
    events.on("completed", ({ jobId, returnvalue }) => this.#waiters.get(jobId)?.completed(returnvalue));
    events.on("failed", ({ jobId, failedReason }) => this.#waiters.get(jobId)?.failed(failedReason));
    events.on("progress", ({ jobId, data }) => {
      if (typeof data === "object" && data !== null) this.#waiters.get(jobId)?.message(data as JobMessage);
    });
  }

  /** Ends every wait: the executor is closing, or Redis is gone. */
  abandonAll(error: Error): void {
    for (const waiter of [...this.#waiters.values()]) waiter.abandoned(error);
    this.#waiters.clear();
  }

  /** Listens for `jobId` until the returned function is called. Register before adding the job. */
  add(jobId: string, waiter: JobWaiter): () => void {
    this.#waiters.set(jobId, waiter);
    return () => {
      if (this.#waiters.get(jobId) === waiter) this.#waiters.delete(jobId);
    };
  }
}
