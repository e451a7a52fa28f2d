import type { FileHandle } from "node:fs/promises";
import type { FileSystem } from "./file-system.js";

interface Batch {
  lines: string[];
  durable: boolean;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Appends lines to a journal file with group commit: lines that arrive while a write is under way
 * go out together in the next write, and share one fsync when any of them asks to be durable.
 * Writes never interleave, and a failure is reported to every waiter and to every later caller.
 */
export class JournalWriter {
  readonly path: string;
  readonly #fs: FileSystem;
  #handle: FileHandle | undefined;
  #next: Batch | undefined;
  #running: Promise<void> | undefined;
  #failure: Error | undefined;
  #scheduled = false;
  #linesWritten = 0;

  readonly #onCreate: () => Promise<void>;

  /** `onCreate` runs after the file is opened, before the first write (to make what it depends on durable). */
  constructor(fs: FileSystem, path: string, onCreate: () => Promise<void> = async () => {}) {
    this.#fs = fs;
    this.path = path;
    this.#onCreate = onCreate;
  }

  /** Lines written since the file was last opened (to decide when to compact). */
  get linesWritten(): number {
    return this.#linesWritten;
  }

  /**
   * Queues a line (ending in a newline). The promise resolves once it is written, and fsynced when
   * `durable`; non-durable callers may ignore it: a failure is also thrown by the next `append` or `idle`.
   */
  append(line: string, durable: boolean): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const batch = (this.#next ??= newBatch());
    batch.lines.push(line);
    batch.durable ||= durable;
    if (durable) this.#running ??= this.#drain();
    // A line that need not be durable waits a turn of the event loop: a step that ends at once
    // sends its "running" and "succeeded" lines in one write.
    else if (!this.#running && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        // A durable append may have written the batch meanwhile: then there is nothing to drain (and a
        // drain with nothing to do would settle at once, leaving a finished promise in #running).
        if (this.#next) this.#running ??= this.#drain();
      });
    }
    return batch.done;
  }

  /** Waits until everything queued is written; throws the first write failure. */
  async idle(): Promise<void> {
    if (this.#next) this.#running ??= this.#drain();
    while (this.#running) await this.#running;
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Closes the file; the next append opens (and creates) it again. */
  async close(): Promise<void> {
    await this.idle();
    const handle = this.#handle;
    this.#handle = undefined;
    this.#linesWritten = 0;
    await handle?.close();
  }

  async #drain(): Promise<void> {
    // One batch at a time: the next one fills up while this one is written.
    while (this.#next) {
      const batch = this.#next;
      this.#next = undefined;
      try {
        if (!this.#handle) {
          this.#handle = await this.#fs.open(this.path, "a");
          await this.#onCreate();
        }
        await this.#handle.write(batch.lines.join(""));
        if (batch.durable) await this.#handle.datasync();
        this.#linesWritten += batch.lines.length;
        batch.resolve();
      } catch (error) {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
        batch.reject(error);
        const queued = this.#next as Batch | undefined; // filled by appends made during the failed write
        this.#next = undefined;
        queued?.reject(error);
      }
    }
    this.#running = undefined;
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => {}); // callers that did not ask for durability may not await; never an unhandled rejection
  return { lines: [], durable: false, done, resolve, reject };
}
