import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { manifestPath, readManifest, writeManifest, type ManifestRow } from "./manifest.js";
import { readRejects, rejectsPath, writeRejects, type RejectRecord } from "./rejects.js";
import { appendJournal, clearJournal, journalPath, readJournal } from "./staging-journal.js";
import { fileExists } from "../file-exists.js";

/**
 * What the stage root records about raw files: the manifest (staged runs), the rejects, and the
 * journal of files handled since they were last written. All writes go through one queue, so a
 * checkpoint (manifest and rejects rewritten, journal cleared) never loses an entry appended
 * while it runs.
 */
export class StagingLedger {
  private readonly bySource = new Map<string, ManifestRow>();
  private writes: Promise<void> = Promise.resolve();
  /** Something was recorded since the manifest was last written. */
  private dirty = false;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly stageRoot: string,
    private readonly manifest: Map<string, ManifestRow>,
    private readonly rejects: Map<string, RejectRecord>,
  ) {
    for (const row of manifest.values()) this.bySource.set(row.source_path, row);
  }

  /** Reads the manifest and the rejects, and folds in the journal an interrupted run left. */
  static async open(connection: DuckDBConnection, stageRoot: string): Promise<StagingLedger> {
    const manifest = new Map<string, ManifestRow>();
    for (const row of await readManifest(connection, manifestPath(stageRoot))) manifest.set(row.run_id, row);
    const ledger = new StagingLedger(connection, stageRoot, manifest, await readRejects(rejectsPath(stageRoot)));
    const journal = await readJournal(journalPath(stageRoot));
    await mkdir(path.dirname(journalPath(stageRoot)), { recursive: true });
    for (const entry of journal) {
      if ("staged" in entry) ledger.remember(entry.staged);
      else ledger.rejects.set(entry.rejected.path, entry.rejected);
    }
    ledger.dirty = journal.length > 0 || !(await fileExists(manifestPath(stageRoot)));
    return ledger;
  }

  get manifestPath(): string {
    return manifestPath(this.stageRoot);
  }

  get rejectsPath(): string {
    return rejectsPath(this.stageRoot);
  }

  /** Runs in the manifest. */
  get runs(): number {
    return this.manifest.size;
  }

  stagedFrom(source: string): ManifestRow | undefined {
    return this.bySource.get(source);
  }

  /** The staged run with this id. */
  run(id: string): ManifestRow | undefined {
    return this.manifest.get(id);
  }

  rejectOf(source: string): RejectRecord | undefined {
    return this.rejects.get(source);
  }

  recordStaged(row: ManifestRow): Promise<void> {
    this.remember(row);
    this.dirty = true;
    return this.enqueue(() => appendJournal(journalPath(this.stageRoot), [{ staged: row }]));
  }

  recordRejected(record: RejectRecord): Promise<void> {
    this.rejects.set(record.path, record);
    this.dirty = true;
    return this.enqueue(() => appendJournal(journalPath(this.stageRoot), [{ rejected: record }]));
  }

  /** Rewrites the manifest and the rejects from what is recorded, then clears the journal. */
  checkpoint(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      await writeManifest(this.connection, this.manifestPath, [...this.manifest.values()]);
      await writeRejects(this.rejectsPath, this.rejects);
      await clearJournal(journalPath(this.stageRoot));
    });
  }

  private remember(row: ManifestRow): void {
    this.manifest.set(row.run_id, row);
    this.bySource.set(row.source_path, row);
    this.rejects.delete(row.source_path);
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    const next = this.writes.then(write);
    // A failed write fails its caller; the queue goes on for the others.
    this.writes = next.catch(() => undefined);
    return next;
  }
}

