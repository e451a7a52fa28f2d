import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { PermanentError } from "pipewright";
import { writeAtomically } from "../staging/atomic.js";
import { createRowsTable } from "../staging/rows-table.js";
import { sqlIdent, sqlString } from "../staging/sql.js";
import { firstLine } from "./error-text.js";
import { EXTRACTION_FAILED, METRIC_COLUMNS, type MetricCategory, type MetricRow } from "./metric-row.js";
import { fileExists } from "../file-exists.js";

/** `<outputDir>/_metrics/metrics.parquet`. */
export function metricsPath(outputDir: string): string {
  return path.join(outputDir, "_metrics", "metrics.parquet");
}

/** What a calibration row says, as text: an unchanged match keeps its earlier row. */
export function calibrationFingerprint(row: Pick<MetricRow, "value_float" | "value_json" | "flags" | "extraction_version">): string {
  return JSON.stringify([row.value_float, row.value_json, row.flags, row.extraction_version]);
}

/** What the metrics file already holds, for deciding which runs to extract again. */
export class MetricsIndex {
  constructor(
    /** `run_id category` → the versions of its rows, and whether they are only an `extraction_failed` row. */
    private readonly extractions: ReadonlyMap<string, { versions: ReadonlySet<string>; failed: boolean }>,
    /** run_id → fingerprint of its `irradiated_power` row. */
    private readonly calibrations: ReadonlyMap<string, string>,
  ) {}

  /** The run has rows of this category from this version, and they are not a failure (a failed run is tried again). */
  upToDate(runId: string, category: MetricCategory, version: string): boolean {
    const known = this.extractions.get(`${runId} ${category}`);
    return known !== undefined && !known.failed && known.versions.size === 1 && known.versions.has(version);
  }

  /** Fingerprint of the run's stored calibration row (see `calibrationFingerprint`). */
  calibrationOf(runId: string): string | undefined {
    return this.calibrations.get(runId);
  }
}


/** A metrics file that cannot be read: the user moves it aside (its runs are then extracted anew). */
function unreadable(file: string, error: unknown): PermanentError {
  return new PermanentError(`the metrics file ${file} cannot be read (${firstLine(error)}): move it aside and run derive-all-metrics again`);
}

/**
 * Reads the existing metrics file (if any) into a `MetricsIndex`.
 * @example (await readMetricsIndex(connection, metricsPath("data/03_derived"))).upToDate(runId, "electrical", "1.0.0") // true
 */
export async function readMetricsIndex(connection: DuckDBConnection, file: string): Promise<MetricsIndex> {
  if (!(await fileExists(file))) return new MetricsIndex(new Map(), new Map());
  try {
    const source = `read_parquet(${sqlString(file)})`;
    const groups = (await connection.runAndReadAll(
      `SELECT run_id, metric_category, list(DISTINCT extraction_version) AS versions, bool_and(metric_name = ${sqlString(EXTRACTION_FAILED)}) AS failed
       FROM ${source} GROUP BY run_id, metric_category`,
    )).getRowObjectsJS();
    const calibrations = (await connection.runAndReadAll(
      `SELECT run_id, value_float, value_json, flags, extraction_version FROM ${source} WHERE metric_name = 'irradiated_power'`,
    )).getRowObjectsJS();
    return new MetricsIndex(
      new Map(groups.map((g) => [`${g.run_id as string} ${g.metric_category as string}`, { versions: new Set(g.versions as string[]), failed: g.failed === true }])),
      new Map(calibrations.map((c) => [c.run_id as string, calibrationFingerprint(c as unknown as MetricRow)])),
    );
  } catch (error) {
    throw unreadable(file, error);
  }
}

/**
 * Merges `rows` into the metrics file and writes it atomically: earlier rows are kept, except those
 * of a (run, category) that `rows` holds anew, which they replace. Returns the rows in the file.
 * @example await writeMetrics(connection, metricsPath("data/03_derived"), rows) // 1234
 */
export async function writeMetrics(connection: DuckDBConnection, file: string, rows: readonly MetricRow[]): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const select = METRIC_COLUMNS.map(([name, type]) => `CAST(${sqlIdent(name)} AS ${type}) AS ${sqlIdent(name)}`).join(", ");
  try {
    await createRowsTable(connection, "fresh_metrics", METRIC_COLUMNS, rows, file);
    let merged = "SELECT * FROM fresh_metrics";
    if (await fileExists(file)) {
      try {
        await connection.run(`CREATE OR REPLACE TEMP TABLE kept_metrics AS SELECT ${select} FROM read_parquet(${sqlString(file)}) AS old
          WHERE NOT EXISTS (SELECT 1 FROM fresh_metrics AS f WHERE f.run_id = old.run_id AND f.metric_category = old.metric_category)`);
      } catch (error) {
        throw unreadable(file, error);
      }
      merged = `SELECT * FROM kept_metrics UNION ALL ${merged}`;
    }
    await writeAtomically(file, (temp) =>
      connection
        .run(`COPY (${merged} ORDER BY start_time_utc NULLS LAST, run_id, metric_category, metric_name) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`)
        .then(() => undefined),
    );
    return await countMetrics(connection, file);
  } finally {
    await connection.run("DROP TABLE IF EXISTS fresh_metrics; DROP TABLE IF EXISTS kept_metrics");
  }
}

/** Rows in the metrics file. */
export async function countMetrics(connection: DuckDBConnection, file: string): Promise<number> {
  const [count] = (await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS();
  return Number(count?.n ?? 0);
}
