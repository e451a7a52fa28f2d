import { randomUUID } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { ConcurrentRunError, errorMessage, CheckpointError, type RunHolder } from "../errors.js";
import type { FileSystem } from "./file-system.js";
import { processLiveness } from "./process-liveness.js";
import { pathInside, safeFileName } from "./safe-file-name.js";

/** How often a holder touches its lock file, so that other hosts can tell it still runs. */
export const LOCK_HEARTBEAT_MS = 30_000;
/** A lock of another host whose file was not touched for this long is stale (its process cannot be asked). */
export const FOREIGN_LOCK_STALE_MS = 5 * 60_000;
/** A takeover marker older than this was left by a process that died while taking a lock over. */
const TAKEOVER_STALE_MS = 30_000;
const MAX_ATTEMPTS = 50;

/** The lock file as JSON (snake_case, like checkpoints). */
interface LockJson {
  pid: number;
  host: string;
  started_at: string;
  execution_id: string | null;
  /** Random per lock: tells two locks apart even when their holders look the same. */
  token: string;
}

/** A lock file as found: its text, who it names (undefined when it does not parse), when it was last touched. */
export interface FoundLock {
  path: string;
  text: string;
  holder: RunHolder | undefined;
  mtimeMs: number;
}

/** The lock of a pipeline's runs in a checkpoint directory: `<safe name>.lock`, never outside `dir`. */
export function lockPathFor(dir: string, pipelineName: string): string {
  return pathInside(dir, `${safeFileName(pipelineName)}.lock`);
}

/**
 * The texts of the locks this process holds or is creating, by path. A lock naming this process's pid is
 * held only if its text is here; else an earlier process with the same pid left it.
 */
const ownTexts = new Map<string, Set<string>>();
/** The locks this process holds, released when it exits. */
const heldHere = new Set<RunLock>();
let exitHookInstalled = false;

function claim(path: string, text: string): void {
  let texts = ownTexts.get(path);
  if (!texts) ownTexts.set(path, (texts = new Set()));
  texts.add(text);
}

function unclaim(path: string, text: string): void {
  const texts = ownTexts.get(path);
  texts?.delete(text);
  if (texts?.size === 0) ownTexts.delete(path);
}

/**
 * A pipeline's lock, held by this process. Taken by `acquireRunLock`, released by `release` (and, best
 * effort, when the process exits). While held, its file's time is touched every `LOCK_HEARTBEAT_MS`.
 */
export class RunLock {
  readonly path: string;
  /** The lock this one replaced, when a stale lock was taken over: who held it, or undefined when it did not parse. */
  readonly tookOver: { holder: RunHolder | undefined } | undefined;
  #text: string;
  #holder: RunHolder;
  readonly #fs: FileSystem;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(fs: FileSystem, path: string, holder: RunHolder, text: string, tookOver: { holder: RunHolder | undefined } | undefined) {
    this.#fs = fs;
    this.path = path;
    this.#holder = holder;
    this.#text = text;
    this.tookOver = tookOver;
    this.#heartbeat = setInterval(() => void this.#touch(), LOCK_HEARTBEAT_MS);
    this.#heartbeat.unref();
    heldHere.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", releaseAllSync);
    }
  }

  get holder(): RunHolder {
    return this.#holder;
  }

  /** The text of the lock file while this process holds it. */
  get text(): string {
    return this.#text;
  }

  /** Names the execution in the lock (its id is final only once its checkpoint exists). */
  async setExecutionId(executionId: string): Promise<void> {
    if (this.#holder.executionId === executionId) return;
    const holder = { ...this.#holder, executionId };
    const text = lockText(holder);
    claim(this.path, text);
    try {
      await publishLockFile(this.#fs, this.path, text, "replace");
      unclaim(this.path, this.#text);
      this.#holder = holder;
      this.#text = text;
    } catch (error) {
      unclaim(this.path, text);
      throw new CheckpointError(`Cannot write lock ${this.path}: ${errorMessage(error)}`, this.path, { cause: error });
    }
  }

  /** Removes the lock file if it is still this one. Never throws. */
  async release(): Promise<void> {
    clearInterval(this.#heartbeat);
    heldHere.delete(this);
    try {
      if ((await this.#fs.readFile(this.path, "utf8")) === this.#text) await this.#fs.rm(this.path, { force: true });
    } catch {
      // gone already, or unreadable: nothing of ours to remove
    }
    unclaim(this.path, this.#text);
  }

  /** Releases synchronously (the process is exiting). */
  releaseSync(): void {
    clearInterval(this.#heartbeat);
    heldHere.delete(this);
    try {
      if (readFileSync(this.path, "utf8") === this.#text) unlinkSync(this.path);
    } catch {
      // best effort
    }
  }

  async #touch(): Promise<void> {
    try {
      const handle = await this.#fs.open(this.path, "r+");
      try {
        const now = new Date();
        await handle.utimes(now, now);
      } finally {
        await handle.close();
      }
    } catch {
      // the next touch may succeed; a lock left untouched only matters to other hosts
    }
  }
}

function releaseAllSync(): void {
  for (const lock of [...heldHere.values()]) lock.releaseSync();
}

function lockText(holder: RunHolder): string {
  const json: LockJson = {
    pid: holder.pid,
    host: holder.host,
    started_at: holder.startedAt,
    execution_id: holder.executionId ?? null,
    token: randomUUID(),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function holderFromText(text: string): RunHolder | undefined {
  try {
    const json = JSON.parse(text) as Partial<LockJson> | null;
    if (
      typeof json !== "object" ||
      json === null ||
      !Number.isInteger(json.pid) ||
      typeof json.host !== "string" ||
      typeof json.started_at !== "string" ||
      Number.isNaN(Date.parse(json.started_at)) ||
      !(typeof json.execution_id === "string" || json.execution_id === null || json.execution_id === undefined)
    ) {
      return undefined;
    }
    return { pid: json.pid as number, host: json.host, startedAt: json.started_at, executionId: json.execution_id ?? undefined };
  } catch {
    return undefined;
  }
}

/** The lock file at `path`, or undefined when there is none. */
export async function readLock(fs: FileSystem, path: string): Promise<FoundLock | undefined> {
  try {
    const text = await fs.readFile(path, "utf8");
    const { mtimeMs } = await fs.stat(path);
    return { path, text, holder: holderFromText(text), mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CheckpointError(`Cannot read lock ${path}: ${errorMessage(error)}`, path, { cause: error });
  }
}

/**
 * Whether a lock is held: by a live process of this host (one that started before the lock did: a
 * pid reused since is not the holder), by this process when it holds that very lock, or, for a lock of
 * another host, whose process cannot be asked, while its holder keeps touching it.
 */
export function isLockHeld(lock: FoundLock, now = Date.now()): boolean {
  const holder = lock.holder;
  if (!holder) return false; // not a lock this engine wrote whole: nothing to wait for
  if (holder.host === hostname() && holder.pid === process.pid) return ownTexts.get(lock.path)?.has(lock.text) ?? false;
  const liveness = processLiveness(holder.pid, holder.host, holder.startedAt);
  if (liveness === "unknown") return now - lock.mtimeMs < FOREIGN_LOCK_STALE_MS;
  return liveness === "alive";
}

/**
 * Takes the lock of `pipelineName` in `dir` for this process, or throws a `ConcurrentRunError` naming
 * the live process that holds it. A stale lock (its process gone) is taken over: under a takeover
 * marker created exclusively, the lock is read again and, still the stale one, replaced in one rename,
 * so of several processes racing for it one wins and the others find its lock.
 */
export async function acquireRunLock(
  fs: FileSystem,
  dir: string,
  pipelineName: string,
  executionId: string | undefined,
  startedAt: string,
): Promise<RunLock> {
  const path = lockPathFor(dir, pipelineName);
  const holder: RunHolder = { pid: process.pid, host: hostname(), startedAt, executionId };
  const text = lockText(holder);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new CheckpointError(`Cannot create checkpoint directory ${dir}: ${errorMessage(error)}`, dir, { cause: error });
  }
  // Claimed before it exists: another execution of this process that finds it meanwhile sees it held.
  claim(path, text);
  try {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        await publishLockFile(fs, path, text, "create"); // fails if the lock exists
        return new RunLock(fs, path, holder, text, undefined);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new CheckpointError(`Cannot create lock ${path}: ${errorMessage(error)}`, path, { cause: error });
        }
      }
      const found = await readLock(fs, path);
      if (!found) continue; // released meanwhile
      if (found.holder && isLockHeld(found)) {
        throw new ConcurrentRunError({ reason: "locked", pipelineName, checkpointDir: dir, holder: found.holder, lockPath: path });
      }
      if (await takeOver(fs, found, text)) return new RunLock(fs, path, holder, text, { holder: found.holder });
      // Another process is taking it over, or took it: look again after a moment.
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
    throw new CheckpointError(`Cannot take lock ${path}: other processes keep changing it`, path);
  } catch (error) {
    unclaim(path, text);
    throw error;
  }
}

/** Replaces the stale lock `stale` by `text`; false when another process is doing so, or the lock is no longer that one. */
async function takeOver(fs: FileSystem, stale: FoundLock, text: string): Promise<boolean> {
  const marker = `${stale.path}.takeover`;
  try {
    await publishLockFile(fs, marker, lockText({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), executionId: undefined }), "create");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new CheckpointError(`Cannot create ${marker}: ${errorMessage(error)}`, marker, { cause: error });
    }
    // A marker left by a process that died while taking over would block every takeover: remove it.
    const other = await readLock(fs, marker);
    if (other && (!other.holder || processLiveness(other.holder.pid, other.holder.host, other.holder.startedAt) === "gone" || Date.now() - other.mtimeMs > TAKEOVER_STALE_MS)) {
      await fs.rm(marker, { force: true });
    }
    return false;
  }
  try {
    const current = await readLock(fs, stale.path);
    if (current?.text !== stale.text) return false; // released, or taken by a live process meanwhile
    await publishLockFile(fs, stale.path, text, "replace"); // renamed over it: there is a lock file at every moment
    return true;
  } catch (error) {
    throw new CheckpointError(`Cannot take over lock ${stale.path}: ${errorMessage(error)}`, stale.path, { cause: error });
  } finally {
    await fs.rm(marker, { force: true }).catch(() => {});
  }
}

let tmpCounter = 0;

/**
 * Writes a lock file whole, so that no reader ever sees part of it: a temporary file beside it, then
 * `link` (create: fails with EEXIST when the file exists) or `rename` (replace). Not fsynced: a lock
 * means nothing after a power loss, and one left empty by it does not parse, so it is stale.
 */
async function publishLockFile(fs: FileSystem, path: string, text: string, mode: "create" | "replace"): Promise<void> {
  const tmp = `${path}.${process.pid}-${++tmpCounter}.new`;
  try {
    const handle = await fs.open(tmp, "wx");
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    await (mode === "create" ? fs.link(tmp, path) : fs.rename(tmp, path));
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => {});
  }
}
