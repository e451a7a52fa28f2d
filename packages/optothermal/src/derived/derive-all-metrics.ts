import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { PermanentError, ValidationError } from "pipewright";
import { DEFAULT_HISTORIES_DIR, DEFAULT_MANIFEST_PATH } from "../histories/build-histories.js";
import type { CalibrationStatus } from "../metrics/calibration.js";
import { readManifest } from "../staging/manifest.js";
import type { ManifestRow } from "../staging/manifest-row.js";
import { CALIBRATION_METHOD, CALIBRATION_PROCEDURE, CALIBRATION_VERSION, calibrationDraft, matchLightRun, readCalibrations } from "./calibration-rows.js";
import { upToDateResult, writeStamp } from "../up-to-date.js";
import { ENRICHED_HISTORIES_DIR, enrichHistories } from "./enrich-histories.js";
import { firstLine } from "./error-text.js";
import { failedRow, metricRow, type Extraction, type MetricRow } from "./metric-row.js";
import { calibrationFingerprint, countMetrics, metricsPath, readMetricsIndex, writeMetrics, type MetricsIndex } from "./metrics-file.js";
import { readRunColumns } from "./read-run-columns.js";
import { DEFAULT_METRIC_PROCEDURES, RUN_EXTRACTORS, type RunExtractor } from "./run-extractors.js";
import { fileExists } from "../file-exists.js";

export interface DeriveMetricsOptions {
  /** The manifest that `stage-all` wrote. */
  manifestPath?: string;
  /** The chip histories that `build-all-histories` wrote, to enrich. */
  historiesDir?: string;
  /** Receives `_metrics/metrics.parquet` and `chip_histories_enriched/`. */
  outputDir?: string;
  /** Procedures whose runs are measured; default IVg, VVg, It, ITt, Vt. */
  procedures?: readonly string[];
  /** Only the runs of this `chip_group` (exact match); the other runs' rows are kept as they are. */
  group?: string;
  /** Runs read in parallel, each on its own DuckDB connection. */
  workers?: number;
  /** Extract again the runs whose metrics are up to date. */
  force?: boolean;
  /** Age (h) above which a calibration before a light run is `stale`. */
  staleThresholdHours?: number;
  /** Stops taking new runs once aborted; the metrics extracted so far are written. */
  signal?: AbortSignal;
  /** Called after each run (extracted, skipped or failed). */
  onRun?: (progress: { done: number; total: number }) => void;
  /** Problems that do not stop the batch (an unusable calibration); `console.warn` by default. */
  onWarning?: (message: string) => void;
}

export interface ProcedureMetricCounts {
  processed: number;
  skipped: number;
  failed: number;
}

export interface DeriveMetricsSummary {
  /** Runs measured by this call (their metrics may still be null and flagged). */
  runsProcessed: number;
  /** Up to date: metrics of the current extraction version exist. */
  runsSkipped: number;
  /** Runs whose data could not be read or measured: an `extraction_failed` row each, tried again next time. */
  runsFailed: number;
  failures: { run_id: string; proc: string; source_path: string; reason: string }[];
  /** Rows written by this call (new or replaced). */
  metricsWritten: number;
  /** Rows in the metrics file after this call. */
  metricsRows: number;
  byProcedure: Record<string, ProcedureMetricCounts>;
  /** The light runs in scope by the status of their calibration match. */
  calibration: Record<CalibrationStatus, number>;
  /** Light runs whose calibration row was written anew (first match, or a new calibration changed it). */
  calibrationUpdated: number;
  metricsPath: string;
  enrichedHistories: string[];
  warnings: string[];
  /** True when `signal` stopped the run before every run was seen (calibration and histories not updated). */
  aborted: boolean;
  elapsedMs: number;
}

export const DEFAULT_DERIVED_DIR = "data/03_derived";
export const DEFAULT_STALE_THRESHOLD_HOURS = 24;

/**
 * Derives the metrics of every staged run of the chosen procedures into
 * `<outputDir>/_metrics/metrics.parquet` (one row per metric), matches each light run with its laser
 * calibration, and writes the chip histories with the metrics as columns into
 * `<outputDir>/chip_histories_enriched/`.
 *
 * Incremental: a run whose rows exist with the current extraction version is skipped (a failed run is
 * tried again); the file keeps every earlier row, and the rows of a re-extracted run replace its old
 * ones. Calibration matches are re-evaluated on every call, since they depend on other runs: a
 * calibration staged later can turn a `missing`, `future` or `stale` match `perfect`, and so can a
 * new `staleThresholdHours`. That costs one read per calibration run and none of the light runs' data;
 * a match that did not change keeps its earlier row. A run whose data cannot be read or measured gets
 * a flagged row, never a crash of the batch. Every history in `historiesDir` is enriched (the metrics
 * file covers all runs, whatever `group`).
 * @example await deriveAllMetrics({ group: "Alisson", workers: 4 }) // { runsProcessed: 142, runsSkipped: 0, calibration: { perfect: 60, … }, … }
 */
export async function deriveAllMetrics(options: DeriveMetricsOptions = {}): Promise<DeriveMetricsSummary> {
  const started = performance.now();
  const extractedAt = new Date();
  const manifestFile = path.resolve(options.manifestPath ?? DEFAULT_MANIFEST_PATH);
  const historiesDir = path.resolve(options.historiesDir ?? DEFAULT_HISTORIES_DIR);
  const outputDir = path.resolve(options.outputDir ?? DEFAULT_DERIVED_DIR);
  const procedures = checkProcedures(options.procedures ?? DEFAULT_METRIC_PROCEDURES);
  const workers = options.workers ?? 2;
  const staleHours = options.staleThresholdHours ?? DEFAULT_STALE_THRESHOLD_HOURS;
  if (!Number.isInteger(workers) || workers < 1) throw new ValidationError(`workers must be a whole number of at least 1, not ${workers}`);
  if (!Number.isFinite(staleHours) || staleHours < 0) throw new ValidationError(`the stale threshold must be a number of hours ≥ 0, not ${staleHours}`);
  if (!(await fileExists(manifestFile))) {
    throw new PermanentError(`no manifest at ${manifestFile}: run stage-all first to stage the raw files`);
  }

  const summary: DeriveMetricsSummary = {
    runsProcessed: 0, runsSkipped: 0, runsFailed: 0, failures: [], metricsWritten: 0, metricsRows: 0, byProcedure: {},
    calibration: { perfect: 0, stale: 0, future: 0, missing: 0 }, calibrationUpdated: 0, metricsPath: metricsPath(outputDir),
    enrichedHistories: [], warnings: [], aborted: false, elapsedMs: 0,
  };
  const warn = (message: string): void => {
    summary.warnings.push(message);
    (options.onWarning ?? console.warn)(message);
  };

  const instance = await DuckDBInstance.create(":memory:");
  const connections: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < workers + 1; i++) connections.push(await instance.connect());
    const [main, ...pool] = connections as [DuckDBConnection, ...DuckDBConnection[]];
    const manifest = await readManifest(main, manifestFile).catch((error: unknown) => {
      throw new PermanentError(`the manifest at ${manifestFile} cannot be read (${firstLine(error)}): run stage-all again to rewrite it`);
    });
    const index = await readMetricsIndex(main, summary.metricsPath);
    const inScope = manifest.filter((run) => procedures.has(run.proc) && (options.group === undefined || run.chip_group === options.group));
    const rows: MetricRow[] = [];

    let next = 0;
    let done = 0;
    const work = async (connection: DuckDBConnection): Promise<void> => {
      for (let i = next++; i < inScope.length; i = next++) {
        if (options.signal?.aborted) {
          summary.aborted = true;
          return;
        }
        const run = inScope[i] as ManifestRow;
        const extractor = RUN_EXTRACTORS[run.proc] as RunExtractor;
        const counts = (summary.byProcedure[run.proc] ??= { processed: 0, skipped: 0, failed: 0 });
        if (!options.force && index.upToDate(run.run_id, extractor.category, extractor.version)) {
          counts.skipped++;
          summary.runsSkipped++;
        } else {
          const extraction: Extraction = { category: extractor.category, method: extractor.method, version: extractor.version, at: extractedAt };
          const result = await extractRun(connection, run, extractor, extraction);
          rows.push(...result.rows);
          if (result.failure === null) {
            counts.processed++;
            summary.runsProcessed++;
          } else {
            counts.failed++;
            summary.runsFailed++;
            summary.failures.push({ run_id: run.run_id, proc: run.proc, source_path: run.source_path, reason: result.failure });
          }
        }
        options.onRun?.({ done: ++done, total: inScope.length });
      }
    };
    await Promise.all(pool.map(work));

    if (!summary.aborted) {
      const extraction: Extraction = { category: "calibration", method: CALIBRATION_METHOD, version: CALIBRATION_VERSION, at: extractedAt };
      const calibrationRows = await matchLightRuns(main, manifest, inScope, { index, extraction, staleHours, force: options.force ?? false, warn, summary });
      rows.push(...calibrationRows);
      summary.calibrationUpdated = calibrationRows.length;
    }
    summary.metricsWritten = rows.length;
    // Nothing new: the file stays as it is (an up-to-date second call writes nothing).
    summary.metricsRows = rows.length > 0 || !(await fileExists(summary.metricsPath))
      ? await writeMetrics(main, summary.metricsPath, rows)
      : await countMetrics(main, summary.metricsPath);
    if (!summary.aborted) summary.enrichedHistories = await enrichIfChanged(main, historiesDir, summary.metricsPath, outputDir, options.force ?? false);
    if (summary.enrichedHistories.length === 0 && !summary.aborted) warn(`no chip history in ${historiesDir}: no enriched history written (run build-all-histories first)`);
    summary.failures.sort((a, b) => a.source_path.localeCompare(b.source_path));
    summary.elapsedMs = performance.now() - started;
    return summary;
  } finally {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
  }
}

/** The procedures as a set, each one that has metrics; a user's unknown name is a `ValidationError`. */
function checkProcedures(procedures: readonly string[]): Set<string> {
  const known = Object.keys(RUN_EXTRACTORS);
  const unknown = procedures.filter((p) => !known.includes(p));
  if (unknown.length > 0) {
    const calibration = unknown.includes(CALIBRATION_PROCEDURE) ? " (LaserCalibration runs are matched to light runs on their own)" : "";
    throw new ValidationError(`no metrics for procedure ${unknown.join(", ")}${calibration}: choose among ${known.join(", ")}`);
  }
  if (procedures.length === 0) throw new ValidationError(`no procedure given: choose among ${known.join(", ")}`);
  return new Set(procedures);
}

/** One run's metric rows, or its `extraction_failed` row with the reason. */
async function extractRun(
  connection: DuckDBConnection, run: ManifestRow, extractor: RunExtractor, extraction: Extraction,
): Promise<{ rows: MetricRow[]; failure: string | null }> {
  let data: Record<string, number[]>;
  try {
    data = await readRunColumns(connection, run.parquet_path, extractor.columns);
  } catch (error) {
    const reason = `cannot read ${run.parquet_path} (${firstLine(error)}): restage ${run.source_path} with stage-all --force`;
    return { rows: [failedRow(run, reason, extraction)], failure: reason };
  }
  try {
    return { rows: extractor.extract(run, data).map((draft) => metricRow(run, draft, extraction)), failure: null };
  } catch (error) {
    // An algorithm's bug on one odd run must not cost the batch.
    const reason = `${extractor.method} failed on ${run.source_path}: ${firstLine(error)}`;
    return { rows: [failedRow(run, reason, extraction)], failure: reason };
  }
}

interface CalibrationContext {
  index: MetricsIndex;
  extraction: Extraction;
  staleHours: number;
  force: boolean;
  warn: (message: string) => void;
  summary: DeriveMetricsSummary;
}

/** The `irradiated_power` rows of the light runs in scope whose match is new or changed (all with `force`); counts every status. */
async function matchLightRuns(
  connection: DuckDBConnection, manifest: readonly ManifestRow[], inScope: readonly ManifestRow[], context: CalibrationContext,
): Promise<MetricRow[]> {
  const lightRuns = inScope.filter((run) => run.has_light);
  if (lightRuns.length === 0) return [];
  const calibrations = await readCalibrations(connection, manifest, context.warn);
  const rows: MetricRow[] = [];
  for (const run of lightRuns) {
    const match = matchLightRun(run, calibrations, context.staleHours);
    context.summary.calibration[match?.status ?? "missing"]++;
    const row = metricRow(run, calibrationDraft(match), context.extraction);
    if (context.force || context.index.calibrationOf(run.run_id) !== calibrationFingerprint(row)) rows.push(row);
  }
  return rows;
}

/** The enriched histories, rewritten only when the metrics or a history changed since they were written. */
async function enrichIfChanged(connection: DuckDBConnection, historiesDir: string, metricsFile: string, outputDir: string, force: boolean): Promise<string[]> {
  const stamp = path.join(outputDir, ENRICHED_HISTORIES_DIR, ".built-from.json");
  const inputs = [metricsFile, historiesDir];
  const previous = force ? null : await upToDateResult(stamp, inputs, null);
  if (previous !== null) return previous as string[];
  const written = await enrichHistories(connection, historiesDir, metricsFile, outputDir);
  if (written.length > 0) await writeStamp(stamp, inputs, null, written, written);
  return written;
}
