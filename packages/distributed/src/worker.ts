import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { WaitingError, Worker, type Job } from "bullmq";
import { builtinCommands, PermanentError, type Command, type Json, type Registry, type StepContext } from "pipewright";
import { checkQueueName, connectRedis, DEFAULT_PREFIX, DEFAULT_QUEUE, queueKeys, bullConnection, type RedisConnection } from "./connection.js";
import type { JobMessage, StepJobData } from "./job-data.js";
import { describeError, isPermanent } from "./remote-error.js";
import { WorkerRegistration } from "./worker-registration.js";

/** Options of `startWorker`. Durations in milliseconds unless the name says seconds. */
export interface StartWorkerOptions {
  /** Where Redis is (same as the coordinator's executor). */
  redis?: RedisConnection;
  /** The commands this worker runs, by name; the built-ins (`exec`) are always there. */
  registry: Registry;
  /** Jobs run at once. @default 1 */
  concurrency?: number;
  /** The queue to take jobs from. @default "steps" */
  queue?: string;
  /** Overrides `redis.prefix`. */
  prefix?: string;
  /**
   * How long a job's lock lasts without renewal: a worker that dies loses its jobs this long after
   * (then the next stalled check gives them to another worker). @default 30000
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (of any worker). @default 30000 */
  stalledIntervalMs?: number;
  /** How often a job may stall (its worker died) and still run again, before it fails. @default 1 */
  maxStalledCount?: number;
  /** A worker not heard from for this long drops out of `listWorkers`. @default 30 */
  heartbeatSeconds?: number;
  /** Close gracefully on SIGTERM and SIGINT. @default true */
  handleSignals?: boolean;
  /** Where BullMQ's connection errors go. @default console.error */
  onError?: (error: Error) => void;
}

/** A running worker. */
export interface DistributedWorker {
  /** Unique id of this worker (`host:pid:random`), its key in the worker registry. */
  readonly id: string;
  /** `host:pid`: how errors and `listWorkers` name it. */
  readonly name: string;
  /**
   * Stops taking jobs; running commands see their signal abort and their jobs go back to the queue
   * for another worker (not counted as a failed attempt). Resolves once everything is closed.
   */
  close(): Promise<void>;
}

/** The reason running commands are aborted with when the worker shuts down. */
class WorkerShutdown extends Error {
  override name = "WorkerShutdown";
}

const CANCELS_REMEMBERED_MS = 10 * 60_000;

/**
 * Starts a worker that runs the jobs of `BullMqExecutor`s: each job names a command of `registry`,
 * which runs with a `StepContext` rebuilt from the job (its signal aborts when the coordinator cancels
 * or the worker shuts down; logs and progress go back to the coordinator).
 * @example
 * // worker.ts, started on each machine with `node --import tsx worker.ts`
 * import { startWorker } from "@pipewright/distributed";
 * import * as registry from "./commands.js";
 * await startWorker({ redis: { url: process.env.REDIS_URL }, registry, concurrency: 8 });
 */
export async function startWorker(options: StartWorkerOptions): Promise<DistributedWorker> {
  const redis = options.redis ?? {};
  const prefix = options.prefix ?? redis.prefix ?? DEFAULT_PREFIX;
  const queueName = checkQueueName(options.queue ?? DEFAULT_QUEUE);
  const concurrency = options.concurrency ?? 1;
  const keys = queueKeys(prefix, queueName);
  const name = `${hostname()}:${process.pid}`;
  const id = `${name}:${randomUUID().slice(0, 8)}`;
  const commands = commandMap(options.registry);
  const onError = options.onError ?? ((error: Error) => console.error(`pipewright worker ${name}: ${error.message}`));

  /** Running jobs' controllers, by job id: what a cancel message or shutdown aborts. */
  const running = new Map<string, AbortController>();
  /** Cancels heard for jobs not running here (yet): the job may be picked up just after its cancel went out. */
  const cancelled = new Map<string, { reason: string; at: number }>();
  let closing = false;

  const subscriber = connectRedis(redis);
  const client = connectRedis(redis);
  subscriber.on("message", (_channel: string, text: string) => {
    const { jobId, reason } = JSON.parse(text) as { jobId: string; reason: string };
    remember(cancelled, jobId, reason);
    running.get(jobId)?.abort(new Error(reason));
  });
  subscriber.on("error", onError);
  client.on("error", onError);
  await subscriber.subscribe(keys.cancelChannel);

  const registration = new WorkerRegistration(client, keys, id, options.heartbeatSeconds ?? 30);

  // Two parameters, so BullMQ makes no abort signal of its own per job: it only aborts it on
  // `worker.cancelJob`, which cancels here do not use, and a second signal per job is a cost.
  const processor = async (job: Job<StepJobData>, token?: string): Promise<Json> => {
    const jobId = job.id ?? "";
    const controller = new AbortController();
    running.set(jobId, controller);
    const cancel = cancelled.get(jobId);
    if (cancel) controller.abort(new Error(cancel.reason));
    if (closing) controller.abort(new WorkerShutdown(`worker ${name} is shutting down`));
    try {
      const data = job.data;
      const command = commands.get(data.commandName);
      if (!command) {
        const known = [...commands.keys()].sort().join(", ");
        throw new PermanentError(`Worker ${name} (queue ${queueName}) has no command "${data.commandName}" in its registry; it has: ${known}`);
      }
      controller.signal.throwIfAborted();
      const value = await command(data.args, jobContext(job, controller.signal));
      return toJson(value, data);
    } catch (error) {
      if (closing && controller.signal.reason instanceof WorkerShutdown) {
        // Not the command's fault: back to the queue, for another worker, without using an attempt.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const failure = { permanent: isPermanent(error), errorName: error instanceof Error ? error.name : typeof error, worker: name };
      await job.updateData({ ...job.data, failure }).catch(() => undefined);
      throw new Error(describeError(error));
    } finally {
      running.delete(jobId);
      registration.jobDone();
    }
  };

  const worker = new Worker<StepJobData, Json>(queueName, processor, {
    connection: bullConnection(redis),
    prefix,
    concurrency,
    name,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 1,
  });
  worker.on("error", onError);
  await worker.waitUntilReady();
  await registration.start({ id, host: hostname(), pid: process.pid, concurrency, startedAt: new Date().toISOString() });

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      process.off("SIGTERM", onSignal).off("SIGINT", onSignal);
      const workerClosed = worker.close(); // stops fetching first, so aborted jobs are not fetched again here
      for (const controller of running.values()) controller.abort(new WorkerShutdown(`worker ${name} is shutting down`));
      await workerClosed;
      await registration.stop().catch(() => undefined);
      await Promise.allSettled([subscriber.quit(), client.quit()]);
    })());
  const onSignal = () => void close();
  if (options.handleSignals ?? true) process.once("SIGTERM", onSignal).once("SIGINT", onSignal);

  return { id, name, close };
}

/** The context a command sees on the worker: the coordinator's, as far as JSON carries it. */
function jobContext(job: Job<StepJobData>, signal: AbortSignal): StepContext {
  const data = job.data;
  return {
    signal,
    attempt: data.attempt,
    executionId: data.executionId,
    pipelineName: data.pipelineName,
    stepName: data.stepName,
    outputs: data.outputs ?? {},
    params: data.params,
    item: data.item,
    itemIndex: data.itemIndex,
    log: (message) => send(job, { log: String(message) }),
    progress: (done, total) => send(job, total === undefined ? { done } : { done, total }),
  };
}

/** A log line or progress for the coordinator, through the job's progress events. */
function send(job: Job<StepJobData>, message: JobMessage): void {
  void job.updateProgress(message).catch(() => undefined);
}

/** The registry first, then the built-ins; own entries only (a job naming "constructor" finds nothing). */
function commandMap(registry: Registry): Map<string, Command> {
  const entries = registry instanceof Map ? [...registry.entries()] : Object.entries(registry as Record<string, Command<never>>);
  return new Map([...Object.entries(builtinCommands), ...(entries as Array<[string, Command]>)].filter(([, fn]) => typeof fn === "function"));
}

/** The result as JSON, `undefined` as null — as the engine records it; anything else JSON can't hold fails for good. */
function toJson(value: unknown, data: StepJobData): Json {
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as Json);
  } catch (error) {
    const what = data.itemIndex === undefined ? `step "${data.stepName}"` : `item ${data.itemIndex} of step "${data.stepName}"`;
    throw new PermanentError(`The output of ${what} is not plain JSON: ${describeError(error)}`);
  }
}

function remember(cancelled: Map<string, { reason: string; at: number }>, jobId: string, reason: string): void {
  const now = Date.now();
  cancelled.set(jobId, { reason, at: now });
  for (const [key, entry] of cancelled) {
    if (now - entry.at < CANCELS_REMEMBERED_MS) break; // insertion order: the rest are newer
    cancelled.delete(key);
  }
}
