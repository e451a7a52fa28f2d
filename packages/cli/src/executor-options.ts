import { readFileSync } from "node:fs";
import { Option, type Command as Program } from "commander";
import { BullMqExecutor, DEFAULT_PREFIX, DEFAULT_QUEUE, listWorkers, pingRedis, type RedisConnection } from "@pipewright/distributed";
import { localExecutor, ValidationError, type Executor, type ExecutorSpec } from "pipewright";

/** Where Redis is when neither `--redis` nor `PIPEWRIGHT_REDIS_URL` says. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * Engine concurrency of a run on BullMQ workers when `--concurrency` is not given: at least this many
 * jobs in flight, more when the live workers can take more (the engine's own default — the
 * coordinator's CPUs — says nothing about the workers).
 */
export const DEFAULT_DISTRIBUTED_CONCURRENCY = 16;

/** The flags that say where Redis is and which queue: `pipewright worker`, `workers`, and `run --executor bullmq`. */
export interface RedisFlags {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  redis?: string;
  queue?: string;
  prefix?: string;
  /** Overrides the URL's password; never recorded in checkpoints (or `PIPEWRIGHT_REDIS_PASSWORD`). */
  password?: string;
  tls?: boolean;
  /** A PEM file of the authority that signed Redis's certificate (implies TLS). */
  tlsCa?: string;
}

/** The flags of a run that may run its steps elsewhere. */
export interface ExecutorFlags extends RedisFlags {
  /** `local` (in this process, the default) or `bullmq` (jobs for `pipewright worker`s). */
  executor?: string;
}

/** Adds `--redis`, `--queue`, `--prefix`, `--password` and `--tls` to a command. */
export function addRedisOptions(command: Program): Program {
  return command
    .option("--redis <url>", `where Redis is: redis://[user:password@]host:port[/db], rediss:// for TLS (default: $PIPEWRIGHT_REDIS_URL or ${DEFAULT_REDIS_URL})`)
    .option("--queue <name>", `the queue the workers take jobs from (default: ${DEFAULT_QUEUE})`)
    .option("--prefix <prefix>", `prefix of every Redis key, so several deployments share one Redis (default: ${DEFAULT_PREFIX})`)
    .option("--password <password>", "Redis password, instead of the URL's (default: $PIPEWRIGHT_REDIS_PASSWORD)")
    .option("--tls", "connect to Redis over TLS (implied by a rediss:// URL)")
    .option("--tls-ca <file>", "trust the certificate authority in this PEM file for Redis's TLS certificate (implies --tls)");
}

/** Adds `--executor local|bullmq` and the Redis options to a command that runs a pipeline. */
export function addExecutorOptions(command: Program): Program {
  command.addOption(new Option("--executor <name>", "where steps run: local (this process) or bullmq (jobs for `worker`s, through Redis)").choices(["local", "bullmq"]));
  return addRedisOptions(command);
}

/** `--redis`, else `PIPEWRIGHT_REDIS_URL`, else the default. */
function redisUrl(flags: RedisFlags): string {
  return flags.redis ?? process.env.PIPEWRIGHT_REDIS_URL ?? DEFAULT_REDIS_URL;
}

/** The connection the flags describe; the password from `--password`, else `PIPEWRIGHT_REDIS_PASSWORD`, else the URL's. */
export function redisConnection(flags: RedisFlags): RedisConnection {
  const url = redisUrl(flags);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`Expected --redis to be a URL like redis://host:6379, got \`${url}\``);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") throw new ValidationError(`Expected --redis to be a redis:// or rediss:// URL, got \`${safeUrl(url)}\``);
  const connection: RedisConnection = { url };
  const password = flags.password ?? process.env.PIPEWRIGHT_REDIS_PASSWORD;
  if (password !== undefined && password !== "") connection.password = password;
  if (flags.tlsCa !== undefined) connection.tls = { ca: readCertificateAuthority(flags.tlsCa) };
  else if (flags.tls) connection.tls = true;
  if (flags.prefix !== undefined) connection.prefix = flags.prefix;
  if (flags.queue !== undefined && (flags.queue === "" || flags.queue.includes(":"))) {
    throw new ValidationError(`Expected --queue to be a name without ":", got \`${flags.queue}\``);
  }
  return connection;
}

function readCertificateAuthority(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new ValidationError(`Cannot read --tls-ca ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The URL with its password replaced by `***`, for messages and records. */
export function safeUrl(url: string): string {
  return replacePassword(url, "***");
}

/** `url` with its password (when it has one) replaced; a URL that does not parse is returned as is. */
function replacePassword(url: string, password: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = password;
    return parsed.toString();
  } catch {
    return url;
  }
}

/** `redis://host:6379, queue steps, prefix pipewright`: where a worker listens, for one line of output. */
export function describeQueue(flags: RedisFlags): string {
  const url = redisUrl(flags);
  const tls = (flags.tls || flags.tlsCa !== undefined) && !url.startsWith("rediss:") ? " (TLS)" : "";
  return `${safeUrl(url)}${tls}, queue ${flags.queue ?? DEFAULT_QUEUE}, prefix ${flags.prefix ?? DEFAULT_PREFIX}`;
}

/**
 * Fails at once, with a message a person understands, when Redis does not answer, or refuses the
 * password or the TLS handshake: BullMQ's connections would otherwise retry forever and the command
 * would hang without a word.
 */
export async function checkRedisReachable(connection: RedisConnection, timeoutMs = 3000): Promise<void> {
  try {
    await pingRedis(connection, timeoutMs);
  } catch (error) {
    const where = safeUrl(connection.url ?? DEFAULT_REDIS_URL);
    throw new ValidationError(`Cannot use Redis at ${where}: ${(error as Error).message}`);
  }
}

/** The flags, completed by the pipeline file's `executor:` when `--executor` is not given (flags win key by key). */
function withDeclared(flags: ExecutorFlags, declared: ExecutorSpec | undefined): ExecutorFlags {
  if (flags.executor !== undefined || declared === undefined) return flags;
  const { type, location: _location, ...connection } = declared;
  const fromFile = Object.fromEntries(Object.entries(connection).filter(([key]) => flags[key as keyof ExecutorFlags] === undefined));
  return { ...flags, ...fromFile, executor: type };
}

/** What `execute` gets from the flags: the executor (undefined: the engine's local one) and the concurrency. */
export interface ExecutorChoice {
  executor?: Executor;
  concurrency?: number;
}

/**
 * Runs `run` with the executor the flags ask for — else the one the pipeline file's `executor:`
 * declares (`declared`), the flags' Redis options over its own — closing it afterwards whatever
 * happens. With bullmq and no `concurrency`, the concurrency is the live workers' total, at least
 * `DEFAULT_DISTRIBUTED_CONCURRENCY`. Redis options for a local run are a mistake, said so.
 * @example
 * const { exitCode } = await withExecutor(options, options.concurrency, (choice) => runWithDisplay(pipeline, { ...choice }, ...), pipeline.executor);
 */
export async function withExecutor<T>(
  given: ExecutorFlags,
  concurrency: number | undefined,
  run: (choice: ExecutorChoice) => Promise<T>,
  declared?: ExecutorSpec,
): Promise<T> {
  const flags = withDeclared(given, declared);
  if ((flags.executor ?? "local") === "local") {
    const stray = (["redis", "queue", "prefix", "password", "tls", "tlsCa"] as const).filter((key) => flags[key] !== undefined);
    if (stray.length > 0) {
      const verb = stray.length === 1 ? "goes" : "go";
      throw new ValidationError(`${stray.map((key) => (key === "tlsCa" ? "--tls-ca" : `--${key}`)).join(", ")} ${verb} only with --executor bullmq (or executor: bullmq in the pipeline file)`);
    }
    // Explicitly local: a pipeline file that declares bullmq is run here only when the flag says so.
    return run({ executor: localExecutor, ...(concurrency !== undefined && { concurrency }) });
  }
  const redis = redisConnection(flags);
  await checkRedisReachable(redis);
  const executor = new BullMqExecutor({ redis, ...(flags.queue !== undefined && { queue: flags.queue }) });
  try {
    return await run({ executor, concurrency: concurrency ?? (await distributedConcurrency(redis, flags.queue)) });
  } finally {
    await executor.close();
  }
}

/** The live workers' total concurrency, at least `DEFAULT_DISTRIBUTED_CONCURRENCY`. */
async function distributedConcurrency(redis: RedisConnection, queue: string | undefined): Promise<number> {
  const report = await listWorkers(redis, queue !== undefined ? { queue } : {});
  const total = report.workers.reduce((sum, worker) => sum + (Number.isFinite(worker.concurrency) ? worker.concurrency : 0), 0);
  return Math.max(DEFAULT_DISTRIBUTED_CONCURRENCY, total);
}

/**
 * The executor flags as a command line (for "Resume with: …"), the password left out: a resume finds
 * it in `--password` or `PIPEWRIGHT_REDIS_PASSWORD` again.
 */
export function executorFlagWords(flags: ExecutorFlags): string[] {
  if ((flags.executor ?? "local") === "local") return [];
  const words = ["--executor", "bullmq"];
  if (flags.redis !== undefined) words.push("--redis", replacePassword(flags.redis, ""));
  if (flags.queue !== undefined) words.push("--queue", flags.queue);
  if (flags.prefix !== undefined) words.push("--prefix", flags.prefix);
  if (flags.tls) words.push("--tls");
  if (flags.tlsCa !== undefined) words.push("--tls-ca", flags.tlsCa);
  return words;
}

/** The flags as a checkpoint may record them (`origin`): no password, neither the option nor in the URL. */
export function recordableExecutorFlags<T extends ExecutorFlags>(flags: T): Omit<T, "password"> {
  const { password: _password, ...rest } = flags;
  return rest.redis === undefined ? rest : { ...rest, redis: replacePassword(rest.redis, "") };
}
