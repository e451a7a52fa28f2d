import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { RedisConnection } from "./connection.js";
import { pingRedis } from "./ping-redis.js";

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
  try {
    await pingRedis({ url: TEST_REDIS_URL }, 1000);
    return true;
  } catch (error) {
    const message = `Redis is not reachable at ${TEST_REDIS_URL} (${(error as Error).message})`;
    if (process.env.CI === "true") throw new Error(`${message}: ${what} need it in CI`);
    console.warn(`${message}: skipping ${what}. Start one with: redis-server --daemonize yes --port 6379`);
    return false;
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

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Files of a TLS server: its certificate and key, and the authority clients must trust (may be the certificate itself). */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

export interface PrivateRedisOptions {
  port: number;
  /** Its working directory (nothing is saved there). */
  dir: string;
  /** `requirepass`: clients must AUTH. */
  password?: string;
  /** TLS only: `port` is the TLS port, and no plain port is open. */
  tls?: TlsFiles;
}

/**
 * A private `redis-server` that keeps nothing on disk (`--save "" --appendonly no`): killing it loses
 * every key. Resolved once it answers PING. It never outlives the test process.
 */
export async function startRedis(options: PrivateRedisOptions): Promise<ChildProcess> {
  const { port, dir, password, tls } = options;
  const args = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir];
  args.push(...(tls ? ["--port", "0", "--tls-port", String(port), "--tls-cert-file", tls.cert, "--tls-key-file", tls.key, "--tls-ca-cert-file", tls.ca, "--tls-auth-clients", "no"] : ["--port", String(port)]));
  if (password !== undefined) args.push("--requirepass", password);
  const child = spawn("redis-server", args, { stdio: "ignore" });
  const orphaned = () => child.kill("SIGKILL"); // never outlive the test process, even if a cleanup timed out
  process.once("exit", orphaned);
  child.once("exit", () => process.off("exit", orphaned));
  const connection: RedisConnection = {
    url: `${tls ? "rediss" : "redis"}://127.0.0.1:${port}`,
    ...(password !== undefined && { password }),
    ...(tls && { tls: { ca: readFileSync(tls.ca) } }),
  };
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    try {
      await pingRedis(connection, 500);
      return child;
    } catch (error) {
      if (tries > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Kills a redis-server child (SIGKILL: no shutdown save, as a crash), resolved once it exited. */
export async function killRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost in `dir` (with `openssl`), its own authority.
 * Undefined when `openssl` is missing.
 */
export function selfSignedCertificate(dir: string): TlsFiles | undefined {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const made = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    { stdio: "ignore" },
  );
  return made.status === 0 ? { cert, key, ca: cert } : undefined;
}

/** A `worker` command's process (`pipewright worker`, `process-and-analyze worker`), for tests. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it wrote, stdout and stderr, for assertions and failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node <bin> worker …args` in `cwd`, without colours, resolved once it says " listening on "; rejected
 * if it exits or is not ready within `readyMs`.
 */
export function startWorkerProcess(bin: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; readyMs?: number }): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [bin, "worker", ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const output = () => text;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const readyMs = options.readyMs ?? 20_000;
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      if (text.includes(" listening on ")) resolve({ child, output, exited });
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    void exited.then(({ code, signal }) => reject(new Error(`the worker exited (${code ?? signal}) before it was ready:\n${text}`)));
    child.once("error", reject);
    setTimeout(() => reject(new Error(`the worker was not ready within ${readyMs} ms:\n${text}`)), readyMs).unref();
  });
}
