import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { startWorker, type DistributedWorker } from "../src/index.js";
import { registry } from "./fixtures/registry.js";

export const REDIS_URL = process.env.PW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Whether Redis answers. In CI its absence is an error (the tests must not pass by skipping);
 * elsewhere the tests are skipped with a warning.
 */
export async function redisAvailable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    const message = `Redis is not reachable at ${REDIS_URL} (${(error as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${message}: the distributed tests need it in CI`);
    console.warn(`${message}: skipping the @pipewright/distributed tests. Start one with: redis-server --daemonize yes --port 6379`);
    return false;
  } finally {
    client.disconnect();
  }
}

/** A prefix of its own per test, so tests never see each other's jobs. */
export function randomPrefix(): string {
  return `pwtest-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key of the prefix. */
export async function cleanUp(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

/** A worker in this process (quicker to start than a process), with the fixture registry. */
export function inProcessWorker(prefix: string, concurrency = 4): Promise<DistributedWorker> {
  return startWorker({ redis: { url: REDIS_URL, prefix }, registry, concurrency, handleSignals: false });
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it wrote, for failure messages. */
  output(): string;
}

const WORKER_SCRIPT = fileURLToPath(new URL("./fixtures/worker.ts", import.meta.url));

/** Starts `node --import tsx fixtures/worker.ts`, resolved once it says it is ready. */
export function spawnWorker(prefix: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER_SCRIPT], {
    env: { ...process.env, PW_REDIS_URL: REDIS_URL, PW_PREFIX: prefix, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const output = () => text;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("ready ")) resolve({ child, pid: child.pid ?? -1, output });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.once("exit", (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${text}`)));
    child.once("error", reject);
  });
}

/** Stops a worker process: SIGTERM (a graceful close), resolved when it has exited. */
export async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once("exit", resolve));
  worker.child.kill("SIGTERM");
  const timer = setTimeout(() => worker.child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
