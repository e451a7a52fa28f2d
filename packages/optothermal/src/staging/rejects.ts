import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeAtomically } from "./atomic.js";

/** A raw file that was not staged, and why. */
export interface RejectRecord {
  path: string;
  procedure: string | null;
  reason: string;
  /** The file's size and modification time when it was rejected: an unchanged file is not re-read. */
  size: number;
  mtime_ms: number;
  rejected_at: string;
}

/** `<stageRoot>/_rejects/rejects.jsonl`: one JSON object per line, the latest reason per file. */
export function rejectsPath(stageRoot: string): string {
  return path.join(stageRoot, "_rejects", "rejects.jsonl");
}

export async function readRejects(file: string): Promise<Map<string, RejectRecord>> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const records = new Map<string, RejectRecord>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const record = JSON.parse(line) as RejectRecord;
    records.set(record.path, record);
  }
  return records;
}

/** Writes the rejects atomically, sorted by path. */
export async function writeRejects(file: string, records: Map<string, RejectRecord>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const lines = [...records.values()].sort((a, b) => a.path.localeCompare(b.path)).map((r) => JSON.stringify(r));
  await writeAtomically(file, (temp) => writeFile(temp, lines.map((l) => `${l}\n`).join("")));
}
