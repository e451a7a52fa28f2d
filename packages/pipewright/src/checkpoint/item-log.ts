import { basename, dirname, join } from "node:path";
import { CheckpointError, errorMessage } from "../errors.js";
import type { ItemRecord } from "./execution-record.js";
import { syncDirectory, type FileSystem } from "./file-system.js";
import { JournalWriter } from "./journal-writer.js";

/**
 * The items of one map step in one execution: an append-only file beside the checkpoint
 * (`<checkpoint>.items-<step>`), one line per finished item, `{"item":k,"key":…,"status":…,…}`.
 * Items never go into the snapshot: recording one never rewrites those before it, and compacting the
 * checkpoint costs nothing for them. A resumed execution starts its file with the items it keeps.
 */
export class ItemLog {
  readonly path: string;
  readonly #writer: JournalWriter;

  private constructor(fs: FileSystem, path: string) {
    this.path = path;
    this.#writer = new JournalWriter(fs, path);
  }

  /**
   * Creates the file of map step `index` of the checkpoint at `checkpointPath`, holding `kept` (the
   * items restored by resume). When they sit where they sat in `previousFile`, its bytes are copied
   * (its failed items are overridden in memory, and by later lines); else the kept items are written.
   * Durable (file and directory entry) before it resolves: the checkpoint may then point to it.
   */
  static async create(
    fs: FileSystem,
    checkpointPath: string,
    index: number,
    kept: ReadonlyArray<ItemRecord | null>,
    previousFile: string | undefined,
  ): Promise<ItemLog> {
    const log = new ItemLog(fs, `${checkpointPath}.items-${index}`);
    try {
      const copied = previousFile !== undefined && (await copyIfExists(fs, join(dirname(checkpointPath), previousFile), log.path));
      const handle = await fs.open(log.path, copied ? "r+" : "w");
      try {
        if (!copied) await handle.write(kept.map((item, k) => (item ? itemLine(k, item) : "")).join(""));
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await syncDirectory(fs, dirname(log.path));
    } catch (error) {
      throw new CheckpointError(`Cannot write map items ${log.path}: ${errorMessage(error)}`, log.path, { cause: error });
    }
    return log;
  }

  /** The file's name, as the checkpoint records it (relative to the checkpoint directory). */
  get fileName(): string {
    return basename(this.path);
  }

  /** Appends item `k`. Durable within one group commit; callers need not wait (failures stick, see `idle`). */
  record(k: number, item: ItemRecord): void {
    void this.#writer.append(itemLine(k, item), true);
  }

  /** Resolves once every recorded item is durable; throws a write failure. */
  async idle(): Promise<void> {
    try {
      await this.#writer.idle();
    } catch (error) {
      throw new CheckpointError(`Cannot write map items ${this.path}: ${errorMessage(error)}`, this.path, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.idle();
    await this.#writer.close();
  }
}

/**
 * An item's line, built by hand (100,000 at a time). What most items have is left out — status
 * "success", 1 attempt, a null output, no error — so a typical line is `{"item":7,"key":"\"b.csv\""}`:
 * short lines are what makes reading 100,000 of them fast.
 */
function itemLine(k: number, item: ItemRecord): string {
  const status = item.status === "success" ? "" : `,"status":"${item.status}"`;
  const attempts = item.attempts === 1 ? "" : `,"attempts":${item.attempts}`;
  const output = item.output === null ? "" : `,"output":${JSON.stringify(item.output)}`;
  const error = item.error === undefined ? "" : `,"error":${JSON.stringify(item.error)}`;
  return `{"item":${k},"key":${JSON.stringify(item.key)}${status}${attempts}${output}${error}}\n`;
}

/**
 * The items recorded in a file, by position (a later line for a position wins). A missing file holds
 * none; a torn last line (a crash while writing it) is ignored; anything else malformed is an error.
 */
export async function readItems(fs: FileSystem, path: string): Promise<Array<ItemRecord | null>> {
  const text = await readIfExists(fs, path);
  if (text === undefined) return [];
  const complete = text.slice(0, text.lastIndexOf("\n") + 1); // after the last newline: nothing, or a torn line
  let parsed: unknown[];
  try {
    // One parse for the whole file (lines are objects: "}\n{" becomes "},{") is far faster than one per line.
    parsed = JSON.parse(`[${complete.slice(0, -1).replaceAll("\n", ",")}]`) as unknown[];
  } catch {
    parsed = complete.split("\n").slice(0, -1).map((line, i) => parseLine(line, i)); // to name the bad line
  }
  const items: Array<ItemRecord | null> = [];
  parsed.forEach((json, i) => {
    const [k, item] = itemFromJson(json, i);
    while (items.length < k) items.push(null);
    items[k] = item;
  });
  return items;
}

function parseLine(line: string, i: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new Error(`line ${i + 1}: ${errorMessage(error)}`);
  }
}

/** Checks one line by hand (zod over 100,000 of them would cost more than the rest of a resume), with the defaults of `itemLine`. */
function itemFromJson(json: unknown, i: number): [number, ItemRecord] {
  const line = json as Record<string, unknown> | null;
  const valid =
    typeof line === "object" &&
    line !== null &&
    Number.isInteger(line.item) &&
    (line.item as number) >= 0 &&
    typeof line.key === "string" &&
    (line.status === undefined || line.status === "failed") &&
    (line.attempts === undefined || Number.isInteger(line.attempts)) &&
    (line.error === undefined || typeof line.error === "string");
  if (!valid) throw new Error(`line ${i + 1}: expected { item, key, status?: "failed", attempts?, output?, error? }`);
  const item: ItemRecord = {
    key: line.key as string,
    status: line.status === "failed" ? "failed" : "success",
    attempts: (line.attempts ?? 1) as number,
    output: (line.output ?? null) as ItemRecord["output"],
    error: line.error as string | undefined,
  };
  return [line.item as number, item];
}

/** Copies `from` to `to` (by the kernel: no bytes through JavaScript); false when `from` does not exist. */
async function copyIfExists(fs: FileSystem, from: string, to: string): Promise<boolean> {
  try {
    await fs.copyFile(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

async function readIfExists(fs: FileSystem, path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
