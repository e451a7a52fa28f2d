import type { QueueEvents } from "bullmq";
import type { JobMessage } from "./job-data.js";

/** What one waiting `run()` wants to hear about its job. */
export interface JobWaiter {
  readonly id: string;
  completed(value: unknown): void;
  failed(reason: string): void;
  message(message: JobMessage): void;
  /** The executor closed, or lost Redis for too long, while the job ran: nobody will hear how it ends. */
  abandoned(error: Error): void;
}

/**
 * The jobs waited on, by id, with one listener per event kind dispatching to them: a
 * `waitUntilFinished` per job would add listeners per job (hundreds at once for a map step) and test
 * every event against each of them.
 */
export class JobWaiters<W extends JobWaiter> {
  readonly #waiters = new Map<string, W>();

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

  /** Listens for `waiter.id` until `remove(waiter)`. Add before adding the job. */
  add(waiter: W): void {
    this.#waiters.set(waiter.id, waiter);
  }

  remove(waiter: W): void {
    if (this.#waiters.get(waiter.id) === waiter) this.#waiters.delete(waiter.id);
  }

  /** Whether `waiter` still waits (not settled, nor replaced by a run of the same job id). */
  has(waiter: W): boolean {
    return this.#waiters.get(waiter.id) === waiter;
  }

  values(): IterableIterator<W> {
    return this.#waiters.values();
  }
}
