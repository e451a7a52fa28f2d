import { basename, dirname } from "node:path";
import { CheckpointError, CorruptCheckpointError, errorMessage } from "../errors.js";
import {
  checkpointText,
  countSteps,
  executionFromJson,
  headerFromJson,
  journalEntryFromJson,
  stepLine,
  type ExecutionHeader,
  type StepCounts,
} from "./checkpoint-format.js";
import type { ExecutionRecord, ItemRecord } from "./execution-record.js";
import { createFileAtomic, nodeFileSystem, syncDirectory, syncFile, writeFileAtomic, type FileSystem } from "./file-system.js";
import { ItemLog, readItems } from "./item-log.js";
import { JournalWriter } from "./journal-writer.js";
import { pathInside, safeFileName } from "./safe-file-name.js";

const JOURNAL_SUFFIX = ".journal";
const HEADER_BYTES = 4096;
const MAX_HEADER_BYTES = 1 << 20;
// Where checkpointText ends the header: a top-level key (two spaces), which no string value can hold (no raw newlines in JSON).
const STEPS_KEY = Buffer.from(',\n  "steps": [');

/** One execution as listings see it: its header and step counts, without its steps. */
export interface ExecutionSummary extends ExecutionHeader, StepCounts {
  path: string;
  /**
   * Bytes journaled since the snapshot: 0 once the run has ended. While it runs (status `running`),
   * the step counts are those of the last snapshot, and the journal holds what happened since.
   */
  journalBytes: number;
}

/**
 * The checkpoints of every execution in one directory: `<name>_<executionId>.json`, the execution's
 * state as of its last compaction, plus `<name>_<executionId>.json.journal` while it runs, one line
 * per state change since. Appending a line is O(1), so a run of n steps costs O(n) in all, where
 * rewriting the whole file after every step (as the original tool did) costs O(n²).
 */
export class CheckpointStore {
  readonly dir: string;
  readonly #fs: FileSystem;

  constructor(dir: string, fs: FileSystem = nodeFileSystem) {
    this.dir = dir;
    this.#fs = fs;
  }

  /** Writes the first snapshot of a new execution. Adds `_2`, `_3`, ... to the id while one with the same id exists. */
  async create(record: ExecutionRecord): Promise<Checkpoint> {
    await this.#fs.mkdir(this.dir, { recursive: true });
    const baseId = record.executionId;
    for (let n = 1; ; n++) {
      record.executionId = n === 1 ? baseId : `${baseId}_${n}`;
      const path = this.pathFor(record.pipelineName, record.executionId);
      const checkpoint = new Checkpoint(this.#fs, path, record);
      try {
        await createFileAtomic(this.#fs, path, checkpoint.text());
        return checkpoint;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new CheckpointError(`Cannot write checkpoint ${path}: ${errorMessage(error)}`, path, { cause: error });
        }
      }
    }
  }

  pathFor(pipelineName: string, executionId: string): string {
    return pathInside(this.dir, `${safeFileName(pipelineName)}_${safeFileName(executionId)}.json`);
  }

  /** Reads an execution: its snapshot, then its journal replayed on top, then its map steps' items. */
  async load(path: string): Promise<ExecutionRecord> {
    const record = await this.#readSnapshot(path);
    await this.#replayJournal(path + JOURNAL_SUFFIX, record);
    for (const step of record.steps) {
      if (step.itemsFile === undefined) continue;
      const itemsPath = pathInside(dirname(path), step.itemsFile);
      try {
        step.items = await readItems(this.#fs, itemsPath);
      } catch (error) {
        throw corrupt(itemsPath, errorMessage(error));
      }
    }
    return record;
  }

  /** Deletes an execution's checkpoint: its snapshot, journal and map items files. */
  async remove(path: string): Promise<void> {
    const prefix = `${basename(path)}.`;
    const items = (await this.#fs.readdir(dirname(path))).filter((name) => name.startsWith(prefix) && /\.items-\d+$/.test(name));
    for (const file of [path + JOURNAL_SUFFIX, ...items.map((name) => pathInside(dirname(path), name))]) await this.#fs.rm(file, { force: true });
    await this.#fs.rm(path, { force: true }); // last: while it exists, the execution is listed and its parts are found
  }

  /**
   * Sets a corrupt execution aside: its snapshot, journal and items files (`path` may be any of them)
   * renamed `<file>.corrupt-<time>`, so that it is no longer listed or resumed and nothing is lost.
   * Returns the snapshot's new name.
   */
  async setAside(path: string): Promise<string> {
    const snapshot = path.endsWith(JOURNAL_SUFFIX) ? path.slice(0, -JOURNAL_SUFFIX.length) : path.replace(/\.items-\d+$/, "");
    const dir = dirname(snapshot);
    const suffix = `.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    const isPart = (name: string) => name === basename(snapshot) + JOURNAL_SUFFIX || (name.startsWith(`${basename(snapshot)}.`) && /\.items-\d+$/.test(name));
    for (const name of (await this.#fs.readdir(dir)).filter(isPart)) await this.#fs.rename(pathInside(dir, name), pathInside(dir, name + suffix));
    await this.#fs.rename(snapshot, snapshot + suffix); // last: while it exists, the execution is listed and its parts are found
    return snapshot + suffix;
  }

  /** The checkpoint of one execution of a pipeline, or undefined when there is none. */
  async find(pipelineName: string, executionId: string): Promise<string | undefined> {
    const path = this.pathFor(pipelineName, executionId);
    try {
      await this.#fs.stat(path);
      return path;
    } catch {
      return undefined;
    }
  }

  /** The checkpoint of the pipeline's execution that started last, by its recorded time. */
  async findLatest(pipelineName: string): Promise<string | undefined> {
    let latest: { path: string; startedAt: string } | undefined;
    for (const path of await this.#candidates(pipelineName)) {
      const header = await this.#readHeader(path);
      if (header.pipelineName !== pipelineName) continue;
      if (!latest || header.startedAt > latest.startedAt) latest = { path, startedAt: header.startedAt };
    }
    return latest?.path;
  }

  /**
   * Every execution in the directory (of one pipeline when named), newest first, from the header of each
   * snapshot alone: steps are not read, so listing many large executions stays fast. A file without
   * step counts in its header (written by an older version) is read whole.
   */
  async summaries(pipelineName?: string): Promise<ExecutionSummary[]> {
    const found: ExecutionSummary[] = [];
    for (const path of await this.#candidates(pipelineName)) {
      const header = await this.#readSummary(path);
      if (!header || (pipelineName !== undefined && header.pipelineName !== pipelineName)) continue;
      found.push({ ...header, path, journalBytes: await this.#sizeOf(path + JOURNAL_SUFFIX) });
    }
    return found.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  }

  /** Every execution in the directory (of one pipeline when named), newest first. */
  async list(pipelineName?: string): Promise<Array<{ path: string; record: ExecutionRecord }>> {
    const found = [];
    for (const path of await this.#candidates(pipelineName)) {
      const record = await this.load(path);
      if (pipelineName === undefined || record.pipelineName === pipelineName) found.push({ path, record });
    }
    return found.sort((a, b) => (a.record.startedAt < b.record.startedAt ? 1 : -1));
  }

  async #candidates(pipelineName: string | undefined): Promise<string[]> {
    let names: string[];
    try {
      names = await this.#fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const prefix = pipelineName === undefined ? "" : `${safeFileName(pipelineName)}_`;
    return names.filter((n) => n.startsWith(prefix) && n.endsWith(".json")).map((n) => pathInside(this.dir, n));
  }

  /** A checkpoint's header and step counts (from the whole file when its header lacks them); undefined when the file is gone. */
  async #readSummary(path: string): Promise<(ExecutionHeader & StepCounts) | undefined> {
    try {
      const header = await this.#readHeader(path);
      return hasStepCounts(header) ? header : await this.#readCountedHeader(path);
    } catch (error) {
      if (error instanceof CheckpointError && (error.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return undefined; // removed since listed
      throw error;
    }
  }

  /**
   * A checkpoint's header, from its first bytes where this store wrote them, so that listing many large
   * executions does not parse them all; else from the whole file. Files written before the header had
   * step counts lack them.
   */
  async #readHeader(path: string): Promise<ExecutionHeader & Partial<StepCounts>> {
    try {
      const head = await this.#readHeaderText(path);
      if (head !== undefined) return headerFromJson(JSON.parse(head));
    } catch {
      // unreadable or unexpected: the full read below reports it with the file's name
    }
    return this.#readCountedHeader(path);
  }

  /** The header and step counts of a snapshot, from the whole file. */
  async #readCountedHeader(path: string): Promise<ExecutionHeader & StepCounts> {
    const { steps, ...header } = await this.#readSnapshot(path);
    return { ...header, ...countSteps(steps) };
  }

  /** The header's JSON text: the file up to its steps, closed; undefined when the file is not laid out as `checkpointText` writes it. */
  async #readHeaderText(path: string): Promise<string | undefined> {
    const handle = await this.#fs.open(path, "r");
    try {
      let head = Buffer.alloc(0);
      // Growing reads: the header is small unless its params are large.
      for (let size = HEADER_BYTES; head.length < MAX_HEADER_BYTES; size *= 4) {
        const { bytesRead, buffer } = await handle.read(Buffer.alloc(size), 0, size, head.length);
        head = Buffer.concat([head, buffer.subarray(0, bytesRead)]);
        const end = head.indexOf(STEPS_KEY);
        if (end >= 0) return `${head.toString("utf8", 0, end)}\n}`;
        if (bytesRead < size) return undefined;
      }
      return undefined;
    } finally {
      await handle.close();
    }
  }

  async #sizeOf(path: string): Promise<number> {
    try {
      return (await this.#fs.stat(path)).size;
    } catch {
      return 0;
    }
  }

  async #readSnapshot(path: string): Promise<ExecutionRecord> {
    let text: string;
    try {
      text = await this.#fs.readFile(path, "utf8");
    } catch (error) {
      throw new CheckpointError(`Cannot read checkpoint ${path}: ${errorMessage(error)}`, path, { cause: error });
    }
    try {
      return executionFromJson(JSON.parse(text));
    } catch (error) {
      throw corrupt(path, errorMessage(error));
    }
  }

  async #replayJournal(path: string, record: ExecutionRecord): Promise<void> {
    let text: string;
    try {
      text = await this.#fs.readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new CheckpointError(`Cannot read checkpoint journal ${path}: ${errorMessage(error)}`, path, { cause: error });
    }
    const lines = text.split("\n");
    // The text after the last newline is a line a crash tore while writing it: it was never durable.
    lines.pop();
    lines.forEach((line, i) => {
      try {
        const entry = journalEntryFromJson(JSON.parse(line));
        if (entry.step >= record.steps.length) throw new Error(`step ${entry.step} does not exist`);
        record.steps[entry.step] = entry.record;
      } catch (error) {
        throw corrupt(path, `line ${i + 1}: ${errorMessage(error)}`);
      }
    });
  }
}

function hasStepCounts(header: ExecutionHeader & Partial<StepCounts>): header is ExecutionHeader & StepCounts {
  return header.totalSteps !== undefined && header.stepCounts !== undefined;
}

function corrupt(path: string, detail: string): CorruptCheckpointError {
  return new CorruptCheckpointError(
    `Checkpoint ${path} is corrupt (${detail}). To set that execution aside (its files renamed *.corrupt-<time>, nothing deleted) ` +
      "and start afresh, run again with --discard-checkpoint (execute({ discardCorruptCheckpoint: true })); or delete the file.",
    path,
  );
}

/**
 * The open checkpoint of a running execution. Every state change goes to the journal; terminal ones
 * are durable (fsynced) before the promise resolves. `compact` folds the journal into the snapshot.
 */
export class Checkpoint {
  readonly path: string;
  readonly record: ExecutionRecord;
  readonly #fs: FileSystem;
  readonly #journal: JournalWriter;
  #compacting: Promise<void> | undefined;
  /** Lines of the steps restored by resume, serialized once: they seldom change, and 10,000 of them cost. */
  readonly #restoredLines = new Map<number, string>();
  /** The item files of map steps, by step index. */
  readonly #itemLogs = new Map<number, ItemLog>();

  constructor(fs: FileSystem, path: string, record: ExecutionRecord) {
    this.#fs = fs;
    this.path = path;
    this.record = record;
    // The first snapshot is made durable only when the first journal line must be (a journal is
    // worthless without its snapshot): an execution that ends at once pays for one snapshot fsync, not two.
    this.#journal = new JournalWriter(fs, path + JOURNAL_SUFFIX, async () => {
      await syncFile(fs, path);
      await syncDirectory(fs, dirname(path));
    });
    record.steps.forEach((step, index) => {
      if (step.resumedFrom !== undefined) this.#restoredLines.set(index, stepLine(step));
    });
  }

  /** Records the current state of step `index`. */
  recordStep(index: number, durable: boolean): Promise<void> {
    const step = this.record.steps[index];
    if (!step) throw new Error(`No step ${index}`);
    this.#restoredLines.delete(index);
    const line = `{"step":${index},"record":${stepLine(step)}}\n`;
    // A map step's final state is recorded only once its items are durable.
    const items = durable ? this.#itemLogs.get(index) : undefined;
    return items ? items.idle().then(() => this.#append(line, durable)) : this.#append(line, durable);
  }

  /**
   * Opens the item file of map step `index`, starting with the items kept from the execution resumed
   * (see `ItemLog.create`), and points the step's record to it.
   */
  async startItems(index: number, kept: ReadonlyArray<ItemRecord | null>, previousFile: string | undefined): Promise<void> {
    const step = this.record.steps[index];
    if (!step) throw new Error(`No step ${index}`);
    const log = await ItemLog.create(this.#fs, this.path, index, kept, previousFile);
    await this.#itemLogs.get(index)?.close();
    this.#itemLogs.set(index, log);
    step.itemsFile = log.fileName;
  }

  /** Records how item `k` of map step `index` ended: durable within one group commit; callers need not wait. */
  recordItem(index: number, k: number, item: ItemRecord): void {
    this.#itemLogs.get(index)?.record(k, item);
  }

  /** Rewrites the snapshot with the whole current state and drops the journal. */
  compact(): Promise<void> {
    const compaction = (this.#compacting ?? Promise.resolve()).then(async () => {
      await this.#journal.close();
      try {
        await writeFileAtomic(this.#fs, this.path, this.text());
        await syncDirectory(this.#fs, dirname(this.path));
      } catch (error) {
        throw new CheckpointError(`Cannot write checkpoint ${this.path}: ${errorMessage(error)}`, this.path, { cause: error });
      }
      await this.#fs.rm(this.#journal.path, { force: true });
    });
    this.#compacting = compaction;
    const settled = () => {
      if (this.#compacting === compaction) this.#compacting = undefined;
    };
    compaction.then(settled, settled);
    return compaction;
  }

  /** The whole state as checkpoint text, in chunks. */
  text(): Iterable<string> {
    return checkpointText(this.record, (step, i) => this.#restoredLines.get(i) ?? stepLine(step));
  }

  /** Lines in the journal since the last compaction. */
  get journalLines(): number {
    return this.#journal.linesWritten;
  }

  async close(): Promise<void> {
    await this.#compacting;
    await this.#journal.close();
    for (const log of this.#itemLogs.values()) await log.close();
  }

  #append(line: string, durable: boolean): Promise<void> {
    const write = () =>
      this.#journal.append(line, durable).catch((error: unknown) => {
        throw new CheckpointError(`Cannot write checkpoint journal ${this.#journal.path}: ${errorMessage(error)}`, this.#journal.path, { cause: error });
      });
    // While a compaction runs, new lines wait for it, so they land in the fresh journal and are not deleted with the old.
    const written = this.#compacting ? this.#compacting.then(write) : write();
    written.catch(() => {}); // non-durable callers need not wait; the failure resurfaces on the next durable write
    return written;
  }
}

