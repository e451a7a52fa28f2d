import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

/**
 * Helpers for tests that need a real Redis (here and in the packages built on this one), from
 * `@pipewright/distributed/testing`. `PW_TEST_REDIS_URL` points them elsewhere.
 */
export const TEST_REDIS_URL = process.env.PW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Whether Redis answers. In CI (`CI=true`) its absence throws: the tests must not pass by skipping;
 * elsewhere it warns that `what` is skipped, and says how to start Redis.
 * @example const available = await redisAvailable("the worker tests"); describe.skipIf(!available)(…)
 */
export async function redisAvailable(what: string): Promise<boolean> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    const message = `Redis is not reachable at ${TEST_REDIS_URL} (${(error as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${message}: ${what} need it in CI`);
    console.warn(`${message}: skipping ${what}. Start one with: redis-server --daemonize yes --port 6379`);
    return false;
  } finally {
    client.disconnect();
  }
}

/** A key prefix of its own per test, so tests never see each other's jobs. */
export function randomPrefix(): string {
  return `pwtest-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key of the prefix. */
export async function deleteKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}
