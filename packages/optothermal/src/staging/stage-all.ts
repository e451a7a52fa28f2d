import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { PermanentError } from "pipewright";
import type { Catalogue } from "../catalogue/catalogue-schema.js";
import { loadCatalogue } from "../catalogue/load-catalogue.js";
import type { RejectRecord } from "./rejects.js";
import { ConnectionPool } from "./connection-pool.js";
import { prepareFile, writeStagedFile, type PreparedFile, type Rejected } from "./stage-file.js";
import { StagingLedger } from "./staging-ledger.js";
import { listRawFiles } from "../raw/list-raw-files.js";

export interface StageAllOptions {
  rawRoot?: string;
  stageRoot?: string;
  /** The catalogue, or the path of its YAML; the package's own by default. */
  catalogue?: Catalogue | string;
  /** Files staged in parallel, each on its own DuckDB connection. */
  workers?: number;
  /** Restage files that are unchanged since the last run. */
  force?: boolean;
  /** Throw (after writing the rejects) when any file is rejected. */
  strict?: boolean;
  /** The lab's time zone, for the local date of a run. */
  tz?: string;
  /**
   * Rewrite the manifest every this many staged files; 0: only at the end. Between rewrites, each
   * file is recorded in a journal, so an interrupted run resumes file by file either way.
   */
  checkpointEvery?: number;
  /** Stops taking new files once aborted; the files done so far are kept and recorded. */
  signal?: AbortSignal;
  /** Called after each file (once it is recorded), with what happened to it and how far the run is. */
  onFile?: (event: { path: string; outcome: keyof ProcedureCounts; procedure: string | null; done: number; total: number }) => void;
}

export interface ProcedureCounts {
  staged: number;
  skipped: number;
  rejected: number;
}

export interface StageAllSummary {
  staged: number;
  /** Unchanged since they were staged: not re-read. */
  skipped: number;
  rejected: number;
  /** By procedure (`unknown` when a rejected file names none). */
  byProcedure: Record<string, ProcedureCounts>;
  rejects: { path: string; reason: string }[];
  manifestPath: string;
  rejectsPath: string;
  /** Runs in the manifest after this call. */
  manifestRows: number;
  /** True when `signal` stopped the run before every file was seen. */
  aborted: boolean;
  elapsedMs: number;
}

export const DEFAULT_RAW_ROOT = "data/01_raw";
export const DEFAULT_STAGE_ROOT = "data/02_stage/raw_measurements";
export const DEFAULT_STAGE_TZ = "America/Santiago";

/** `strict` staging rejected files: permanent (restaging the same files rejects them again). */
export class StagingRejectsError extends PermanentError {
  override name = "StagingRejectsError";
  constructor(readonly summary: StageAllSummary) {
    const list = summary.rejects.map((r) => `  ${r.reason}`).join("\n");
    super(`stage-all --strict: ${summary.rejected} file(s) rejected (see ${summary.rejectsPath}):\n${list}`);
  }
}

/**
 * Stages every `*.csv` under `rawRoot` into Parquet under `stageRoot`, merges the manifest and the
 * rejects, and says what it did. Unchanged files (same path, size and mtime as recorded) are skipped.
 * @example await stageAll({ rawRoot: "data/01_raw", workers: 2 }) // { staged: 159, skipped: 0, rejected: 1, ... }
 */
export async function stageAll(options: StageAllOptions = {}): Promise<StageAllSummary> {
  const started = performance.now();
  const rawRoot = path.resolve(options.rawRoot ?? DEFAULT_RAW_ROOT);
  const stageRoot = path.resolve(options.stageRoot ?? DEFAULT_STAGE_ROOT);
  const catalogue = typeof options.catalogue === "object" ? options.catalogue : await loadCatalogue(options.catalogue);
  const workers = Math.max(1, Math.floor(options.workers ?? 2));
  const tz = options.tz ?? DEFAULT_STAGE_TZ;
  const checkpointEvery = options.checkpointEvery ?? 100;

  const files = await listRawFiles(rawRoot);
  const instance = await DuckDBInstance.create(":memory:");
  const connections: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < workers + 1; i++) connections.push(await instance.connect());
    const [main, ...pool] = connections as [DuckDBConnection, ...DuckDBConnection[]];
    const ledger = await StagingLedger.open(main, stageRoot);

    const summary: StageAllSummary = {
      staged: 0, skipped: 0, rejected: 0, byProcedure: {}, rejects: [], manifestPath: ledger.manifestPath, rejectsPath: ledger.rejectsPath, manifestRows: 0, elapsedMs: 0, aborted: false,
    };
    const count = (file: string, procedure: string | null, what: keyof ProcedureCounts): void => {
      const key = procedure ?? "unknown";
      const entry = (summary.byProcedure[key] ??= { staged: 0, skipped: 0, rejected: 0 });
      entry[what]++;
      summary[what]++;
      options.onFile?.({ path: file, outcome: what, procedure, done: summary.staged + summary.skipped + summary.rejected, total: files.length });
    };
    const reject = (record: RejectRecord): void => {
      summary.rejects.push({ path: record.path, reason: record.reason });
      count(record.path, record.procedure, "rejected");
    };

    // The file that staged (or is staging) each run id in this call, besides those in the manifest.
    const claims = new Map<string, string>();
    /**
     * A run id is its procedure, chip, start time and data, not its header. A file whose run is
     * already another file's: an exact copy is left alone ("copy", counted unchanged: taking the run
     * over made two copies swap it at every staging, restaging both); a file with the same data under
     * another header (found by fuzzing: one flipped bit in a header value, or in an optional column's
     * name) would overwrite the staged run's Parquet and manifest row, so it is rejected. Only when
     * the run's file is gone (moved) does this file take the run over.
     */
    const sameRunProblem = async (prepared: PreparedFile): Promise<Rejected | { kind: "copy" } | null> => {
      const { id, input } = prepared;
      const owner = (): string | undefined => claims.get(id) ?? ledger.run(id)?.source_path;
      for (;;) {
        const other = owner();
        if (other === undefined || other === input.path) {
          claims.set(id, input.path);
          return null;
        }
        const otherBytes = await readFile(other).catch(() => null);
        if (owner() !== other) continue; // claimed meanwhile: compare with the new owner
        if (otherBytes !== null && !otherBytes.equals(prepared.bytes)) {
          const reason = `${input.path}: the same run (procedure, chip, start time and data; run ${id}) as ${other}, but its header differs: not staged over it`;
          return { kind: "rejected", procedure: prepared.procedure, reason };
        }
        if (otherBytes !== null) return { kind: "copy" };
        // The run's file is gone (moved): this file takes the run over.
        claims.set(id, input.path);
        return null;
      }
    };

    let sinceCheckpoint = 0;
    // One more file in flight than connections: the next file is read and checked while DuckDB writes.
    const writers = new ConnectionPool(pool);
    let next = 0;
    const work = async (): Promise<void> => {
      for (let i = next++; i < files.length; i = next++) {
        if (options.signal?.aborted) {
          summary.aborted = true;
          return;
        }
        const file = files[i] ?? "";
        const info = await stat(file);
        const unchanged = (known: { size: number; mtimeMs: number } | undefined): boolean =>
          !options.force && known !== undefined && known.size === info.size && known.mtimeMs === info.mtimeMs;
        const staged = ledger.stagedFrom(file);
        if (staged !== undefined && unchanged({ size: staged.source_size, mtimeMs: staged.source_mtime_ms })) {
          count(file, staged.proc, "skipped");
          continue;
        }
        const rejected = ledger.rejectOf(file);
        if (rejected !== undefined && unchanged({ size: rejected.size, mtimeMs: rejected.mtime_ms })) {
          reject(rejected);
          continue;
        }
        const prepared = await prepareFile({ path: file, size: info.size, mtimeMs: info.mtimeMs, catalogue, stageRoot, tz });
        const result =
          prepared.kind === "rejected" ? prepared : ((await sameRunProblem(prepared)) ?? (await writers.use((connection) => writeStagedFile(connection, prepared))));
        if (result.kind === "copy") {
          count(file, prepared.procedure, "skipped");
          continue;
        }
        if (result.kind === "rejected") {
          if (prepared.kind === "prepared" && claims.get(prepared.id) === file) claims.delete(prepared.id);
          const record: RejectRecord = {
            path: file, procedure: result.procedure, reason: result.reason, size: info.size, mtime_ms: info.mtimeMs, rejected_at: new Date().toISOString(),
          };
          await ledger.recordRejected(record);
          reject(record);
          continue;
        }
        await ledger.recordStaged(result.row);
        count(file, result.row.proc, "staged");
        if (checkpointEvery > 0 && ++sinceCheckpoint >= checkpointEvery) {
          sinceCheckpoint = 0;
          await ledger.checkpoint();
        }
      }
    };
    await Promise.all(Array.from({ length: workers + 1 }, work));
    await ledger.checkpoint();

    summary.rejects.sort((a, b) => a.path.localeCompare(b.path));
    summary.manifestRows = ledger.runs;
    summary.elapsedMs = performance.now() - started;
    if (options.strict && summary.rejected > 0) throw new StagingRejectsError(summary);
    return summary;
  } finally {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
  }
}
