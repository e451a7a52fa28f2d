import type { ConnectionOptions as TlsOptions } from "node:tls";
import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";

/** Where Redis is and which key prefix this deployment uses. Coordinator and workers must agree on both. */
export interface RedisConnection {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS. @default redis://127.0.0.1:6379 */
  url?: string;
  /** Overrides the password of `url`. */
  password?: string;
  /** TLS: `true`, or Node's TLS options (certificates, servername). Implied by a `rediss://` URL. */
  tls?: boolean | TlsOptions;
  /** Prefix of every key (BullMQ's `prefix`): several deployments can share one Redis. @default "pipewright" */
  prefix?: string;
}

export const DEFAULT_PREFIX = "pipewright";
export const DEFAULT_QUEUE = "steps";

/**
 * ioredis options for a connection. Plain options rather than one shared client: BullMQ opens its own
 * connections (blocking reads must not share one) and needs `maxRetriesPerRequest: null` on them.
 */
export function redisOptions(connection: RedisConnection = {}): RedisOptions {
  const url = new URL(connection.url ?? "redis://127.0.0.1:6379");
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new Error(`Expected a redis:// or rediss:// URL, got ${connection.url}`);
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  const tls = connection.tls ?? (url.protocol === "rediss:" ? true : undefined);
  const options: RedisOptions = {
    host: url.hostname || "127.0.0.1",
    port: url.port ? Number(url.port) : 6379,
    maxRetriesPerRequest: null,
  };
  if (url.username) options.username = decodeURIComponent(url.username);
  const password = connection.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  if (password !== undefined) options.password = password;
  if (db !== undefined && Number.isInteger(db)) options.db = db;
  if (tls) options.tls = tls === true ? {} : tls;
  return options;
}

/** The same options, typed as BullMQ takes them (its own description of ioredis's options). */
export function bullConnection(connection: RedisConnection = {}): ConnectionOptions {
  return redisOptions(connection) as ConnectionOptions;
}

/** A client of our own (pub/sub, worker registration), separate from BullMQ's. */
export function connectRedis(connection: RedisConnection = {}): Redis {
  return new Redis(redisOptions(connection));
}

/** Redis keys and channels of one queue, besides BullMQ's own (`<prefix>:<queue>:*`). */
export function queueKeys(prefix: string, queue: string) {
  const base = `${prefix}:${queue}`;
  return {
    /** Pub/sub channel: `{ jobId, reason }` asks whichever worker runs the job to abort it. */
    cancelChannel: `${base}:pw:cancel`,
    /** Set of the ids of workers that registered (entries whose hash expired are dropped on read). */
    workers: `${base}:pw:workers`,
    /** Hash describing one worker, expiring unless its heartbeat renews it. */
    worker: (id: string) => `${base}:pw:worker:${id}`,
  };
}

/** BullMQ refuses ":" in queue names (it separates key parts); say so before Redis is touched. */
export function checkQueueName(queue: string): string {
  if (queue === "" || queue.includes(":")) throw new Error(`Expected a queue name without ":", got "${queue}"`);
  return queue;
}
