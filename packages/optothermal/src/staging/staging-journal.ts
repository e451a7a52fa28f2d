import { appendFile, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { ManifestRow } from "./manifest-row.js";
import type { RejectRecord } from "./rejects.js";

/**
 * What happened to each file since the manifest was last written, one JSON line per file. The
 * manifest is a Parquet file, rewritten whole, so it is written only now and then; this journal makes
 * an interrupted staging resume file by file: the next run folds it in and skips what it lists.
 */
export type JournalEntry = { staged: ManifestRow } | { rejected: RejectRecord };

/** `<stageRoot>/_manifest/journal.jsonl`. */
export function journalPath(stageRoot: string): string {
  return path.join(stageRoot, "_manifest", "journal.jsonl");
}

export async function appendJournal(file: string, entries: readonly JournalEntry[]): Promise<void> {
  if (entries.length > 0) await appendFile(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
}

/**
 * The journal's entries in order. A torn last line (the process was killed while appending) is
 * ignored: its file was not recorded, so it is staged again.
 */
export async function readJournal(file: string): Promise<JournalEntry[]> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const entries: JournalEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      continue;
    }
    entries.push("staged" in entry ? { staged: reviveDates(entry.staged) } : entry);
  }
  return entries;
}

export async function clearJournal(file: string): Promise<void> {
  await rm(file, { force: true });
}

function reviveDates(row: ManifestRow): ManifestRow {
  const start = row.start_time_utc as Date | string | null;
  return {
    ...row,
    start_time_utc: start === null ? null : new Date(start),
    staged_at: new Date(row.staged_at),
  };
}
