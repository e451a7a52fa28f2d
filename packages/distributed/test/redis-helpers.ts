import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startWorker, type DistributedWorker } from "../src/index.js";
import { deleteKeys, redisAvailable as available, TEST_REDIS_URL as REDIS_URL } from "../src/testing.js";
import { registry } from "./fixtures/registry.js";

export { randomPrefix, TEST_REDIS_URL as REDIS_URL } from "../src/testing.js";

/** Whether Redis answers (see `redisAvailable` in src/testing.ts). */
export const redisAvailable = (): Promise<boolean> => available("the @pipewright/distributed tests");

/** Deletes every key of the prefix. */
export const cleanUp = deleteKeys;

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
