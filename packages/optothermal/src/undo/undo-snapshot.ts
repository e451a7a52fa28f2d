import { randomUUID } from "node:crypto";
import { cp, mkdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { PermanentError } from "pipewright";
import { fileExists } from "../file-exists.js";

/**
 * What a lab step needs to be undone: copies of the files and folders it is about to change (or the
 * note that they did not exist), and the folders it created that nothing before it had. Kept in a
 * folder of its own (`undoDir`), one snapshot per output location: the next run of the step replaces
 * it, so it costs a copy of the small files (manifest, rejects, histories, metrics), never of the
 * staged data.
 */
export interface UndoRecord {
  id: string;
  taken_at: string;
  entries: { path: string; existed: boolean }[];
  /** Folders the step created: removed on undo, with parents it leaves empty up to `prune_root`. */
  created: string[];
  prune_root: string | null;
}

/** What a step returns so that `undo_command` can find its snapshot. */
export interface UndoHandle {
  dir: string;
  id: string;
}

const RECORD = "undo.json";

/** Copies `paths` (files or folders; missing ones are recorded as missing) into `undoDir`, replacing an earlier snapshot. */
export async function takeSnapshot(undoDir: string, paths: readonly string[]): Promise<UndoHandle> {
  await rm(undoDir, { recursive: true, force: true });
  await mkdir(undoDir, { recursive: true });
  const entries: UndoRecord["entries"] = [];
  for (const [i, original] of paths.entries()) {
    const existed = await fileExists(original);
    if (existed) await cp(original, path.join(undoDir, String(i)), { recursive: true });
    entries.push({ path: path.resolve(original), existed });
  }
  const record: UndoRecord = { id: randomUUID(), taken_at: new Date().toISOString(), entries, created: [], prune_root: null };
  await writeRecord(undoDir, record);
  return { dir: undoDir, id: record.id };
}

/** Adds the folders the step created to its snapshot. */
export async function recordCreated(handle: UndoHandle, created: readonly string[], pruneRoot: string): Promise<void> {
  const record = await readRecord(handle);
  await writeRecord(handle.dir, { ...record, created: created.map((dir) => path.resolve(dir)), prune_root: path.resolve(pruneRoot) });
}

/**
 * Puts everything back as the snapshot found it: created folders removed, changed files and folders
 * restored, ones that did not exist removed. Refuses when a later run replaced the snapshot.
 */
export async function restoreSnapshot(handle: UndoHandle): Promise<{ restored: number; removed: number }> {
  const record = await readRecord(handle);
  for (const dir of record.created) {
    await rm(dir, { recursive: true, force: true });
    if (record.prune_root !== null) await pruneEmptyParents(dir, record.prune_root);
  }
  let restored = 0;
  for (const [i, entry] of record.entries.entries()) {
    await rm(entry.path, { recursive: true, force: true });
    if (!entry.existed) continue;
    await cp(path.join(handle.dir, String(i)), entry.path, { recursive: true });
    restored++;
  }
  await rm(handle.dir, { recursive: true, force: true });
  return { restored, removed: record.created.length };
}

async function readRecord(handle: UndoHandle): Promise<UndoRecord> {
  const text = await readFile(path.join(handle.dir, RECORD), "utf8").catch(() => null);
  const record = text === null ? null : (JSON.parse(text) as UndoRecord);
  if (record?.id !== handle.id) {
    throw new PermanentError(`cannot undo: the snapshot in ${handle.dir} is gone or belongs to a later run of the step, so undoing would lose that run's work`);
  }
  return record;
}

async function writeRecord(undoDir: string, record: UndoRecord): Promise<void> {
  await writeFile(path.join(undoDir, RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes `dir`'s parents while they are empty, stopping at `root`. */
async function pruneEmptyParents(dir: string, root: string): Promise<void> {
  for (let parent = path.dirname(dir); parent.startsWith(root + path.sep); parent = path.dirname(parent)) {
    const removed = await rmdir(parent).then(() => true, () => false);
    if (!removed) return;
  }
}
