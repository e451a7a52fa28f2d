import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { checkQueueName, connectRedis, DEFAULT_PREFIX, DEFAULT_QUEUE, queueKeys, bullConnection, type RedisConnection } from "./connection.js";

/** A live worker, as it registered itself. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  /** Jobs it finished (succeeded or failed) since it started. */
  jobsDone: number;
  /** ISO time. */
  startedAt: string;
  /** ISO time of its last heartbeat. */
  lastSeen: string;
}

/** What `listWorkers` reports. */
export interface WorkersReport {
  workers: WorkerInfo[];
  /** BullMQ's job counts of the queue: `waiting` is the queue depth. */
  jobs: { waiting: number; active: number; delayed: number; completed: number; failed: number };
}

/**
 * A worker's entry in Redis: a hash that expires unless the heartbeat renews it, so a killed worker
 * disappears from `listWorkers` after `ttlSeconds` without anyone cleaning up.
 */
export class WorkerRegistration {
  readonly #client: Redis;
  readonly #keys: ReturnType<typeof queueKeys>;
  readonly #id: string;
  readonly #ttl: number;
  #timer: NodeJS.Timeout | undefined;
  #info: Omit<WorkerInfo, "jobsDone" | "lastSeen"> | undefined;
  /** Also counted here, so that a heartbeat can write the entry again whole. */
  #jobsDone = 0;
  /** Finished jobs not yet added to the entry's `jobsDone`. */
  #unsent = 0;
  #stopped = false;

  constructor(client: Redis, keys: ReturnType<typeof queueKeys>, id: string, ttlSeconds: number) {
    this.#client = client;
    this.#keys = keys;
    this.#id = id;
    this.#ttl = ttlSeconds;
  }

  async start(info: Omit<WorkerInfo, "jobsDone" | "lastSeen">): Promise<void> {
    this.#info = info;
    const key = this.#keys.worker(this.#id);
    const fields = { ...info, jobsDone: 0, lastSeen: new Date().toISOString() };
    await this.#client.multi().hset(key, fields).expire(key, this.#ttl).sadd(this.#keys.workers, this.#id).exec();
    this.#timer = setInterval(() => void this.#beat(), (this.#ttl * 1000) / 3);
    this.#timer.unref();
    this.#client.on("ready", this.#reconnected); // Redis came back: be listed again at once
  }

  readonly #reconnected = () => void this.#beat();

  /** Counts a finished job: the jobs finished in one turn of the event loop make one HINCRBY, not one each. */
  jobDone(): void {
    this.#jobsDone++;
    if (this.#unsent++ > 0) return;
    setImmediate(() => {
      const count = this.#unsent;
      this.#unsent = 0;
      if (!this.#stopped) void this.#client.hincrby(this.#keys.worker(this.#id), "jobsDone", count).catch(() => 0);
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopped = true;
    this.#client.off("ready", this.#reconnected);
    await this.#client.multi().del(this.#keys.worker(this.#id)).srem(this.#keys.workers, this.#id).exec();
  }

  async #beat(): Promise<void> {
    const key = this.#keys.worker(this.#id);
    // The whole entry, not just lastSeen: a Redis restarted without persistence has lost it.
    // jobsDone as sent so far: the HINCRBY of the jobs not yet sent follows on this same connection.
    const fields = { ...this.#info, jobsDone: this.#jobsDone - this.#unsent, lastSeen: new Date().toISOString() };
    await this.#client.multi().hset(key, fields).expire(key, this.#ttl).sadd(this.#keys.workers, this.#id).exec().catch(() => null);
  }
}

/**
 * The workers alive on a queue (those whose heartbeat has not expired) and the queue's job counts.
 * @example
 * const { workers, jobs } = await listWorkers({ url: "redis://queue-host:6379" });
 * console.log(`${workers.length} workers, ${jobs.waiting} jobs waiting`);
 */
export async function listWorkers(redis: RedisConnection = {}, options: { queue?: string; prefix?: string } = {}): Promise<WorkersReport> {
  const prefix = options.prefix ?? redis.prefix ?? DEFAULT_PREFIX;
  const queueName = checkQueueName(options.queue ?? DEFAULT_QUEUE);
  const keys = queueKeys(prefix, queueName);
  const client = connectRedis(redis);
  const queue = new Queue(queueName, { connection: bullConnection(redis), prefix });
  try {
    const ids = await client.smembers(keys.workers);
    const workers: WorkerInfo[] = [];
    for (const id of ids) {
      const hash = await client.hgetall(keys.worker(id));
      if (Object.keys(hash).length === 0) {
        await client.srem(keys.workers, id); // expired: the worker died without unregistering
        continue;
      }
      workers.push({
        id,
        host: hash.host ?? "?",
        pid: Number(hash.pid),
        concurrency: Number(hash.concurrency),
        jobsDone: Number(hash.jobsDone ?? 0),
        startedAt: hash.startedAt ?? "",
        lastSeen: hash.lastSeen ?? "",
      });
    }
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
    const jobs = { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 };
    return { workers: workers.sort((a, b) => a.startedAt.localeCompare(b.startedAt)), jobs };
  } finally {
    await Promise.allSettled([queue.close(), client.quit()]);
  }
}
