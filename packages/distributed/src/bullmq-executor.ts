import { setTimeout as sleep } from "node:timers/promises";
import { Queue, QueueEvents, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { Executor, StepContext, StepTask } from "pipewright";
import { checkQueueName, connectRedis, DEFAULT_PREFIX, DEFAULT_QUEUE, queueKeys, bullConnection, redisOptions, type RedisConnection } from "./connection.js";
import { jobData, jobIdFor, type StepJobData } from "./job-data.js";
import { JobWaiters } from "./job-waiters.js";
import { PendingJob, type PendingJobOwner } from "./pending-job.js";
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
  /**
   * How often the jobs waited on are looked up in Redis: one that ended without its event being heard
   * is settled from its stored state; one that vanished (a Redis restarted without persistence, or
   * flushed) is added again, at most `MAX_READDS` times. @default 5000
   */
  checkIntervalMs?: number;
  /**
   * How long to wait for Redis when the connection is lost: past it, the jobs waited on, and any run
   * started until Redis is back, fail with an error saying so (resume the execution once it is back).
   * @default 60000
   */
  redisDownTimeoutMs?: number;
}

/** How many times a job that vanished from Redis is added again before its run fails. */
export const MAX_READDS = 3;
/** Adds collected in one turn of the event loop go in one `addBulk` of at most this many jobs. */
const ADD_BATCH = 1000;
/** `close()` waits this long for the connections to quit cleanly, then drops them. */
const CLOSE_GRACE_MS = 2000;

type Connected = { queue: Queue; events: QueueEvents; publisher: Redis };

/**
 * Runs each attempt of a step (or of a map item) as a BullMQ job on a worker started with
 * `startWorker`, and waits for its result. The engine keeps deciding everything else — retries,
 * timeouts, cancellation, checkpoints — exactly as with the local executor: each job has one BullMQ
 * attempt, and a retry is a new job. A job whose worker died is re-run by BullMQ (stalled jobs); a
 * job lost with Redis's data is added again; a Redis unreachable for `redisDownTimeoutMs` fails the runs.
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
  /** How long finished jobs stay: one object shared by every job's options. */
  readonly #keep: { age: number };
  readonly #checkIntervalMs: number;
  readonly #downTimeoutMs: number;
  /** The jobs waited on, by id. */
  readonly #waiters = new JobWaiters<PendingJob>();
  readonly #owner: PendingJobOwner = {
    forget: (job) => this.#waiters.remove(job),
    failure: (jobId, reason) => this.#failure(jobId, reason),
    cancel: (jobId, reason) => {
      void this.#connected?.then((c) => cancelJob(c.queue, c.publisher, this.#keys().cancelChannel, jobId, reason), () => undefined);
    },
  };
  #connected: Promise<Connected> | undefined;
  #closed = false;
  /** Adds waiting for the next `addBulk`. */
  #toAdd: PendingJob[] = [];
  #flushScheduled = false;
  #checkTimer: NodeJS.Timeout | undefined;
  #checking = false;
  /** Set while Redis has been unreachable for longer than `redisDownTimeoutMs`. */
  #down: Error | undefined;
  #downTimer: NodeJS.Timeout | undefined;

  constructor(options: BullMqExecutorOptions = {}) {
    this.#redis = options.redis ?? {};
    this.#connection = bullConnection(this.#redis);
    this.prefix = options.prefix ?? this.#redis.prefix ?? DEFAULT_PREFIX;
    this.queueName = checkQueueName(options.queue ?? DEFAULT_QUEUE);
    this.#sendOutputs = (options.outputs ?? "all") === "all";
    this.#keep = { age: options.keepJobsSeconds ?? 3600 };
    this.#checkIntervalMs = options.checkIntervalMs ?? 5000;
    this.#downTimeoutMs = options.redisDownTimeoutMs ?? 60_000;
  }

  /** Adds the job, then resolves with its result, or rejects with its error or the abort reason. */
  async run(task: StepTask, ctx: StepContext): Promise<unknown> {
    ctx.signal.throwIfAborted();
    if (this.#closed) throw new Error("The BullMQ executor is closed");
    if (this.#down) throw this.#down;
    const jobId = jobIdFor(task, ctx);
    const opts = { jobId, attempts: 1, removeOnComplete: this.#keep, removeOnFail: this.#keep };
    const job = new PendingJob(jobId, task.commandName, jobData(task, ctx, this.#sendOutputs), opts, ctx, this.#owner);
    // Listen before adding: the job may finish before `add` returns.
    this.#waiters.add(job);
    this.#enqueue(job);
    return await job.result;
  }

  /** Closes the connections; runs still waiting reject. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#checkTimer);
    clearTimeout(this.#downTimer);
    this.#waiters.abandonAll(new Error("The BullMQ executor was closed while the job ran"));
    const connected = await Promise.race([this.#connected?.catch(() => undefined), sleep(CLOSE_GRACE_MS, undefined, { ref: false })]);
    if (!connected) return;
    const { events, queue, publisher } = connected;
    // A clean quit needs Redis; when it is gone, drop the connections rather than wait for it.
    const quit = Promise.allSettled([events.close(), queue.close(), publisher.quit()]);
    const timer = sleep(CLOSE_GRACE_MS, "timeout" as const, { ref: false }); // unref'd: a clean quit lets the process exit at once
    if ((await Promise.race([quit, timer])) === "timeout") {
      // Not awaited: BullMQ's disconnect waits for an "end" that a connection already gone may never emit.
      for (const closing of [events.disconnect(), queue.disconnect()]) closing.catch(() => undefined);
      publisher.disconnect();
    }
  }

  #keys() {
    return queueKeys(this.prefix, this.queueName);
  }

  /** Connects on first use, so that an executor made but never used opens nothing. */
  #connect(): Promise<Connected> {
    this.#connected ??= (async () => {
      const publisher = connectRedis(this.#redis);
      publisher.on("error", () => undefined); // its "close" and "ready" say what we need; BullMQ reports errors
      publisher.on("close", () => this.#lostRedis());
      publisher.on("ready", () => this.#foundRedis());
      // Events from now on, by the server's clock: none is missed between here and the first read.
      const [seconds, micros] = await publisher.time();
      const lastEventId = `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - 1}-0`;
      const options = { connection: this.#connection, prefix: this.prefix };
      const queue = new Queue(this.queueName, options);
      const events = new QueueEvents(this.queueName, { ...options, lastEventId });
      queue.on("error", () => undefined); // reconnects on its own; a lost Redis is handled above
      events.on("error", () => undefined);
      this.#waiters.listen(events);
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
      this.#checkTimer = setInterval(() => void this.#check(), this.#checkIntervalMs);
      this.#checkTimer.unref();
      return { queue, events, publisher };
    })();
    // Handled here too: the runs hear of a failure from `#flush`, a turn later.
    this.#connected.catch(() => undefined);
    return this.#connected;
  }

  /** Queues an add for the next `addBulk`: the map runner starts many items in the same turn. */
  #enqueue(job: PendingJob): void {
    this.#toAdd.push(job);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    void this.#connect(); // now, so that a `close()` before the flush closes it
    setImmediate(() => void this.#flush());
  }

  /** Adds the queued jobs still waited on, connecting first if need be. */
  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const queued = this.#toAdd.splice(0);
    const queue = await this.#connect().then(
      (connected) => connected.queue,
      (cause: unknown) => {
        for (const job of queued) job.error(asError(cause));
      },
    );
    if (!queue) return;
    const jobs = queued.filter((job) => this.#waiters.has(job));
    for (let start = 0; start < jobs.length; start += ADD_BATCH) {
      const batch = jobs.slice(start, start + ADD_BATCH);
      // An add of an existing id adds nothing: that job may have ended before we listened — the next check settles it.
      await queue.addBulk(batch.map((job) => ({ name: job.name, data: job.data, opts: job.opts }))).then(
        () => {
          for (const job of batch) job.added = true;
        },
        (cause: unknown) => {
          for (const job of batch) job.error(asError(cause));
        },
      );
    }
  }

  /**
   * Looks the jobs waited on up in Redis: settles those that ended unheard (an add of an id that had
   * already run, an event lost with a Redis restart), adds again those that vanished (seen missing
   * twice in a row, so that a job removed the moment it completed is heard first).
   */
  async #check(): Promise<void> {
    if (this.#checking || this.#closed || this.#down) return;
    const connected = await this.#connected?.catch(() => undefined);
    if (!connected || connected.publisher.status !== "ready") return;
    const { queue } = connected;
    this.#checking = true;
    try {
      const entries = [...this.#waiters.values()].filter((entry) => entry.added);
      const states = await Promise.all(entries.map((entry) => queue.getJobState(entry.id).catch(() => "error")));
      for (const [k, entry] of entries.entries()) {
        if (!this.#waiters.has(entry)) continue; // settled meanwhile
        const state = states[k];
        if (state === "completed" || state === "failed") {
          const job = await queue.getJob(entry.id).catch(() => undefined);
          if (state === "completed") entry.completed(job?.returnvalue);
          else entry.failed(job?.failedReason ?? "the job failed");
        } else if (state === "unknown") {
          if (++entry.missing >= 2) this.#readd(queue, entry);
        } else if (state !== "error") {
          entry.missing = 0;
        }
      }
    } finally {
      this.#checking = false;
    }
  }

  /** A job that vanished from Redis: added again (it may run twice — at least once, as always). */
  #readd(queue: Queue, entry: PendingJob): void {
    entry.missing = 0;
    if (++entry.readded > MAX_READDS) {
      entry.error(new Error(`Job ${entry.id} vanished from Redis ${MAX_READDS + 1} times (was Redis flushed, or restarted without persistence?); giving up on it`));
      return;
    }
    void queue.add(entry.name, entry.data, entry.opts).catch((cause: unknown) => entry.error(asError(cause)));
  }

  /** The connection dropped: wait for it, but not forever. */
  #lostRedis(): void {
    if (this.#closed || this.#downTimer || this.#down) return;
    this.#downTimer = setTimeout(() => {
      this.#downTimer = undefined;
      const { host, port } = redisOptions(this.#redis);
      this.#down = new Error(
        `Lost Redis at ${host}:${port} for more than ${this.#downTimeoutMs / 1000} s: the jobs' results cannot be heard. ` +
          "Resume the execution once Redis is back (finished items are not run again).",
      );
      this.#waiters.abandonAll(this.#down);
    }, this.#downTimeoutMs);
    this.#downTimer.unref();
  }

  /** Connected again: jobs lost with Redis's data are found by the next checks, started now. */
  #foundRedis(): void {
    clearTimeout(this.#downTimer);
    this.#downTimer = undefined;
    this.#down = undefined;
    void this.#check();
  }

  /** The worker's error, rebuilt: permanent if it was, with the worker's name. */
  async #failure(jobId: string, reason: string): Promise<Error> {
    const queue = (await this.#connected?.catch(() => undefined))?.queue;
    const job = await queue?.getJob(jobId).catch(() => undefined);
    return remoteError(reason, (job?.data as StepJobData | undefined)?.failure);
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

function asError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(describeError(cause));
}
