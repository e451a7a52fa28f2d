import { Redis } from "ioredis";
import { redisOptions, type RedisConnection } from "./connection.js";

/**
 * Connects once and sends PING, so that a wrong address, password or certificate is said in one line
 * at once: BullMQ's own connections would retry forever and leave the command hanging without a word.
 * Rejects with an `Error` whose message says what went wrong and what to do (no stack needed).
 */
export async function pingRedis(connection: RedisConnection, timeoutMs = 3000): Promise<void> {
  const client = new Redis({
    ...redisOptions(connection),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The client's own rejections often say only "Connection is closed."; the error event says why.
  let cause: Error | undefined;
  client.on("error", (error: Error) => (cause ??= error));
  try {
    await withTimeout(
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      timeoutMs,
    );
  } catch (error) {
    const message = (cause ?? (error instanceof Error ? error : new Error(String(error)))).message;
    throw new Error(pingFailure(message, timeoutMs, client.options.tls !== undefined));
  } finally {
    client.disconnect();
  }
}

/** What went wrong, in words a person acts on; Redis's and Node's own text kept at the end. */
function pingFailure(message: string, timeoutMs: number, tls: boolean): string {
  if (/NOAUTH/i.test(message)) return "it wants a password (give --password or PIPEWRIGHT_REDIS_PASSWORD)";
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) return "it refused the user name or password";
  if (/certificate|self[- ]signed|SSL|TLS|EPROTO|wrong version number/i.test(message)) {
    return `TLS failed: ${message} (is the server's certificate authority trusted? NODE_EXTRA_CA_CERTS=ca.pem adds one)`;
  }
  if (/timed out|ETIMEDOUT|no answer/i.test(message)) {
    return `no answer within ${timeoutMs} ms (${tls ? "does that port speak TLS? " : ""}is Redis running there? Start one, or point --redis at it)`;
  }
  return `${message} (is Redis running there? Start one, or point --redis at it)`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("no answer")), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
