import { Queue, QueueEvents, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Executor, StepContext, StepTask } from "pipewright";
import { checkQueueName, connectRedis, DEFAULT_PREFIX, DEFAULT_QUEUE, queueKeys, bullConnection, type RedisConnection } from "./connection.js";
import { jobData, jobIdFor, type StepJobData } from "./job-data.js";
import { JobWaiters } from "./job-waiters.js";
import { onAbort } from "./abort-listeners.js";
import { describeError, remoteError } from "./remote-error.js";

/** Options of `new BullMqExecutor(...)`. */
export interface BullMqExecutorOptions {
  /** Where Redis is. @default redis://127.0.0.1:6379, prefix "pipewright" */
  redis?: RedisConnection;
  /** Overrides `redis.prefix`. */
  prefix?: string;
  /** The queue workers listen on (`startWorker({ queue })`). @default "steps" */
  queue?: string;
  /**
   * Send `ctx.outputs` (every finished step's output) with each job, so commands that read it behave as
   * locally. `"none"` saves the transfer when commands get what they need through their args. @default "all"
   */
  outputs?: "all" | "none";
  /** Seconds finished jobs stay in Redis (for inspection, and so an add of the same job id is not run again). @default 3600 */
  keepJobsSeconds?: number;
}

type Connected = { queue: Queue; events: QueueEvents; waiters: JobWaiters; publisher: Redis };

/**
 * Runs each attempt of a step (or of a map item) as a BullMQ job on a worker started with
 * `startWorker`, and waits for its result. The engine keeps deciding everything else — retries,
 * timeouts, cancellation, checkpoints — exactly as with the local executor: each job has one BullMQ
 * attempt, and a retry is a new job. A job whose worker died is re-run by BullMQ (stalled jobs).
 * @example
 * const executor = new BullMqExecutor({ redis: { url: "redis://queue-host:6379" } });
 * try {
 *   await Pipeline.fromYaml("pipeline.yml", registry).then((p) => p.execute({ executor, concurrency: 32 }));
 * } finally {
 *   await executor.close();
 * }
 */
export class BullMqExecutor implements Executor {
  readonly prefix: string;
  readonly queueName: string;
  readonly #connection: ConnectionOptions;
  readonly #redis: RedisConnection;
  readonly #sendOutputs: boolean;
  readonly #keepSeconds: number;
  #connected: Promise<Connected> | undefined;
  #closed = false;

  constructor(options: BullMqExecutorOptions = {}) {
    this.#redis = options.redis ?? {};
    this.#connection = bullConnection(this.#redis);
    this.prefix = options.prefix ?? this.#redis.prefix ?? DEFAULT_PREFIX;
    this.queueName = checkQueueName(options.queue ?? DEFAULT_QUEUE);
    this.#sendOutputs = (options.outputs ?? "all") === "all";
    this.#keepSeconds = options.keepJobsSeconds ?? 3600;
  }

  /** Adds the job, then resolves with its result, or rejects with its error or the abort reason. */
  async run(task: StepTask, ctx: StepContext): Promise<unknown> {
    ctx.signal.throwIfAborted();
    if (this.#closed) throw new Error("The BullMQ executor is closed");
    const { queue, waiters, publisher } = await this.#connect();
    ctx.signal.throwIfAborted();
    const jobId = jobIdFor(ctx);
    const data = jobData(task, ctx, this.#sendOutputs);

    return await new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        stopListening();
        stopAbortListener();
        done();
      };
      const fail = (reason: string) => void this.#failure(queue, jobId, reason).then((error) => settle(() => reject(error)));
      // Listen before adding: the job may finish before `add` returns.
      const stopListening = waiters.add(jobId, {
        completed: (value) => settle(() => resolve(value)),
        failed: fail,
        message: (message) => {
          if (settled) return;
          if ("log" in message) ctx.log(message.log);
          else ctx.progress(message.done, message.total);
        },
        abandoned: (error) => settle(() => reject(error)),
      });
      const stopAbortListener = onAbort(ctx.signal, () => {
        const reason: unknown = ctx.signal.reason;
        settle(() => reject(reason instanceof Error ? reason : new Error(describeError(reason))));
        void cancelJob(queue, publisher, this.#keys().cancelChannel, jobId, ctx.signal.reason);
      });

      const keep = { age: this.#keepSeconds };
      queue
        .add(task.commandName, data, { jobId, attempts: 1, removeOnComplete: keep, removeOnFail: keep })
        .then(async (job: Job<StepJobData>) => {
          // An add of an existing id adds nothing: that job may have ended before we listened.
          const state = await job.getState();
          if (state !== "completed" && state !== "failed") return;
          const stored = await queue.getJob(jobId);
          if (state === "completed") settle(() => resolve(stored?.returnvalue));
          else fail(stored?.failedReason ?? "the job failed");
        })
        .catch((error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(describeError(error)))));
    });
  }

  /** Closes the connections; runs still waiting reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const connected = await this.#connected?.catch(() => undefined);
    if (!connected) return;
    connected.waiters.abandonAll(new Error("The BullMQ executor was closed while the job ran"));
    await Promise.allSettled([connected.events.close(), connected.queue.close(), connected.publisher.quit()]);
  }

  #keys() {
    return queueKeys(this.prefix, this.queueName);
  }

  /** Connects on first use, so that an executor made but never used opens nothing. */
  #connect(): Promise<Connected> {
    this.#connected ??= (async () => {
      const publisher = connectRedis(this.#redis);
      // Events from now on, by the server's clock: none is missed between here and the first read.
      const [seconds, micros] = await publisher.time();
      const lastEventId = `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - 1}-0`;
      const options = { connection: this.#connection, prefix: this.prefix };
      const queue = new Queue(this.queueName, options);
      const events = new QueueEvents(this.queueName, { ...options, lastEventId });
      const waiters = new JobWaiters(events);
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
      return { queue, events, waiters, publisher };
    })();
    return this.#connected;
  }

  /** The worker's error, rebuilt: permanent if it was, with the worker's name. */
  async #failure(queue: Queue, jobId: string, reason: string): Promise<Error> {
    const job = (await queue.getJob(jobId).catch(() => undefined)) as Job<StepJobData> | undefined;
    return remoteError(reason, job?.data.failure);
  }
}

/**
 * Stops a job wherever it is: the workers hear the cancel message (the one running it aborts its
 * signal; the others remember it in case they pick the job up next), and a job still waiting is removed.
 */
async function cancelJob(queue: Queue, publisher: Redis, channel: string, jobId: string, reason: unknown): Promise<void> {
  await publisher.publish(channel, JSON.stringify({ jobId, reason: describeError(reason) })).catch(() => 0);
  // Fails for a job a worker holds (locked): the message above handles that one.
  await queue.remove(jobId).catch(() => 0);
}
