import { mkdir } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Json } from "pipewright";
import { writeAtomically } from "../staging/atomic.js";
import { upToDateResult, writeStamp } from "../up-to-date.js";
import { sqlIdent, sqlString } from "../staging/sql.js";
import { HistoriesError } from "./histories-error.js";
import { HISTORY_COLUMNS } from "./history-row.js";
import { historySummary, type SummaryFields } from "./history-summary.js";
import { fileExists } from "../file-exists.js";

export interface BuildHistoriesOptions {
  /** The manifest that `stage-all` wrote. */
  manifestPath?: string;
  /** Receives one `<group><number>_history.parquet` per chip. */
  outputDir?: string;
  /** Only the chips of this `chip_group` (exact match). */
  group?: string;
  /** Chips with fewer runs get no file (an older one is left alone) and are listed in `belowMinimum`. */
  minExperiments?: number;
  /** The lab's time zone, for `date_local` and `time_local`. */
  tz?: string;
  /** Rebuild even when the manifest and the options are unchanged since the last build. */
  force?: boolean;
}

export interface ChipHistorySummary {
  /** `<group><number>`, e.g. `Alisson79`. */
  chip: string;
  group: string | null;
  number: number;
  runs: number;
  /** The history file written. */
  path: string;
  /** Start of the first and the last run (ISO, UTC); null when no run has a start time. */
  first: string | null;
  last: string | null;
}

export interface BuildHistoriesSummary {
  /** The chips whose history was written, by group then number. */
  chips: ChipHistorySummary[];
  /** Chips (of `group`, when given) with fewer than `minExperiments` runs: no file was written for them. */
  belowMinimum: { chip: string; runs: number }[];
  /** Every run in the manifest, whatever its chip or group. */
  manifestRuns: number;
  /** Runs with no chip (laser calibrations): never in a history. */
  calibrationRuns: number;
  outputDir: string;
  /** Nothing changed since the last build: the files were left as they are. */
  upToDate: boolean;
  elapsedMs: number;
}

export const DEFAULT_MANIFEST_PATH = "data/02_stage/raw_measurements/_manifest/manifest.parquet";
export const DEFAULT_HISTORIES_DIR = "data/02_stage/chip_histories";
/** The original tool documents no default (its example pipeline passes 5): every chip with a run gets a history. */
export const DEFAULT_MIN_EXPERIMENTS = 1;
export const DEFAULT_HISTORY_TZ = "America/Santiago";

/**
 * Builds one history per chip from the staging manifest: the chip's runs in start-time order, numbered
 * `seq` 1..N, with UTC and local date and time, a one-line summary and the run's parameters, each chip
 * written atomically to `<outputDir>/<group><number>_history.parquet`. Runs without a chip are left out.
 * @example await buildAllHistories({ group: "Alisson", minExperiments: 5 }) // { chips: [{ chip: "Alisson67", runs: 49, ... }], ... }
 */
export async function buildAllHistories(options: BuildHistoriesOptions = {}): Promise<BuildHistoriesSummary> {
  const started = performance.now();
  const manifestFile = path.resolve(options.manifestPath ?? DEFAULT_MANIFEST_PATH);
  const outputDir = path.resolve(options.outputDir ?? DEFAULT_HISTORIES_DIR);
  const minExperiments = options.minExperiments ?? DEFAULT_MIN_EXPERIMENTS;
  const tz = options.tz ?? DEFAULT_HISTORY_TZ;
  if (!Number.isInteger(minExperiments) || minExperiments < 1) {
    throw new HistoriesError(`minExperiments must be a whole number of at least 1, not ${minExperiments}`);
  }
  if (!(await fileExists(manifestFile))) {
    throw new HistoriesError(`no manifest at ${manifestFile}: run stage-all first to stage the raw files`);
  }

  const stampFile = path.join(outputDir, ".built-from.json");
  const settings = { group: options.group ?? null, minExperiments, tz };
  const previous = options.force ? null : await upToDateResult(stampFile, [manifestFile], settings);
  if (previous !== null) return { ...(previous as unknown as BuildHistoriesSummary), upToDate: true, elapsedMs: performance.now() - started };

  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await checkTimeZone(connection, tz);
    await loadRuns(connection, manifestFile, tz, options.group);
    await addSummaries(connection);
    const [counts] = (await connection.runAndReadAll(
      "SELECT count(*) AS runs, count(*) FILTER (WHERE chip_number IS NULL) AS calibrations FROM manifest",
    )).getRowObjectsJS();
    const chips = (await connection.runAndReadAll(
      "SELECT chip_group, chip_number, count(*) AS runs, min(start_time_utc) AS first, max(start_time_utc) AS last " +
        "FROM histories GROUP BY chip_group, chip_number ORDER BY chip_group NULLS FIRST, chip_number",
    )).getRowObjectsJS();

    const summary: BuildHistoriesSummary = {
      chips: [], belowMinimum: [], manifestRuns: Number(counts?.runs ?? 0), calibrationRuns: Number(counts?.calibrations ?? 0), outputDir, upToDate: false, elapsedMs: 0,
    };
    const written = new Map<string, string>();
    for (const row of chips) {
      const group = typeof row.chip_group === "string" ? row.chip_group : null;
      const number = Number(row.chip_number);
      const chip = `${group ?? ""}${number}`;
      const runs = Number(row.runs);
      if (runs < minExperiments) {
        summary.belowMinimum.push({ chip, runs });
        continue;
      }
      const target = path.join(outputDir, historyFileName(group, number));
      // Group names become file names: two groups that differ only in unsafe characters must not overwrite each other.
      const clash = written.get(target);
      if (clash !== undefined) throw new HistoriesError(`chips ${clash} and ${chip} would both be written to ${target}`);
      written.set(target, chip);
      await mkdir(outputDir, { recursive: true });
      await writeChip(connection, target, group, number);
      summary.chips.push({ chip, group, number, runs, path: target, first: isoOrNull(row.first), last: isoOrNull(row.last) });
    }
    // A filter that matched no chip leaves no folder behind.
    if (summary.chips.length > 0) await writeStamp(stampFile, [manifestFile], settings, summary.chips.map((chip) => chip.path), summary as unknown as Json);
    summary.elapsedMs = performance.now() - started;
    return summary;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * `<group><number>_history.parquet`, with characters that are unsafe in a file name replaced by `_`.
 * @example historyFileName("Alisson", 79) // "Alisson79_history.parquet"
 */
export function historyFileName(group: string | null, number: number): string {
  return `${`${group ?? ""}${number}`.replace(/[^\w.-]+/g, "_")}_history.parquet`;
}

/** DuckDB's ICU (built into @duckdb/node-api) knows the zone, or the user hears which one is wrong. */
async function checkTimeZone(connection: DuckDBConnection, tz: string): Promise<void> {
  try {
    await connection.run(`SELECT timezone(${sqlString(tz)}, TIMESTAMPTZ '2000-01-01 00:00:00+00')`);
  } catch {
    throw new HistoriesError(`unknown time zone ${JSON.stringify(tz)}: use an IANA name such as ${DEFAULT_HISTORY_TZ}`);
  }
}

/**
 * Reads the manifest into `manifest`, and the chips' runs with their history columns (all but the
 * summary) into `runs`.
 */
async function loadRuns(connection: DuckDBConnection, manifestFile: string, tz: string, group: string | undefined): Promise<void> {
  try {
    await connection.run(`CREATE TEMP TABLE manifest AS SELECT * FROM read_parquet(${sqlString(manifestFile)})`);
  } catch (error) {
    throw new HistoriesError(`the manifest at ${manifestFile} cannot be read (${firstLine(error)}): run stage-all again to rewrite it`);
  }
  // The UTC instant seen in the lab's zone; timezone('UTC', ...) first so that DuckDB's session zone plays no part.
  const local = `timezone(${sqlString(tz)}, timezone('UTC', start_time_utc))`;
  const filter = group === undefined ? "" : ` AND chip_group = ${sqlString(group)}`;
  await connection.run(
    `CREATE TEMP TABLE runs AS SELECT
       row_number() OVER (
         PARTITION BY chip_group, chip_number
         -- A run known only by the date in its path sorts at that date's start.
         ORDER BY coalesce(start_time_utc, TRY_CAST(date_local AS TIMESTAMP)), source_path, run_id
       ) AS seq,
       *,
       strftime(start_time_utc, '%Y-%m-%d') AS date_utc,
       strftime(start_time_utc, '%H:%M:%S') AS time_utc,
       coalesce(strftime(${local}, '%Y-%m-%d'), date_local) AS local_date,
       strftime(${local}, '%H:%M:%S') AS time_local,
       regexp_extract(source_path, '[^/\\\\]+$') AS source_file
     FROM manifest WHERE chip_number IS NOT NULL${filter}`,
  );
}

const SUMMARY_FIELDS = [
  "proc", "chip_group", "chip_number", "has_light", "laser_wavelength", "laser_voltage", "laser_period", "duration_s",
  "vds", "vg", "vg_start", "vg_end", "vg_step", "vsd_start", "vsd_end", "vsd_step",
] as const satisfies readonly (keyof SummaryFields)[];

/** Computes each run's summary line in TypeScript and joins it in as `histories`, in the history's column order. */
async function addSummaries(connection: DuckDBConnection): Promise<void> {
  const rows = (await connection.runAndReadAll(`SELECT run_id, ${SUMMARY_FIELDS.map(sqlIdent).join(", ")} FROM runs`)).getRowObjectsJS();
  await connection.run("CREATE TEMP TABLE summaries (run_id VARCHAR, summary VARCHAR)");
  const appender = await connection.createAppender("summaries");
  for (const row of rows) {
    const fields = Object.fromEntries(SUMMARY_FIELDS.map((k) => [k, typeof row[k] === "bigint" ? Number(row[k]) : (row[k] ?? null)]));
    appender.appendVarchar(row.run_id as string);
    appender.appendVarchar(historySummary(fields as unknown as SummaryFields));
    appender.endRow();
  }
  appender.closeSync();
  const select = HISTORY_COLUMNS.map(([name, type]) => {
    const source = name === "date_local" ? "local_date" : name;
    return `CAST(${sqlIdent(source)} AS ${type}) AS ${sqlIdent(name)}`;
  });
  await connection.run(`CREATE TEMP TABLE histories AS SELECT ${select.join(", ")} FROM runs JOIN summaries USING (run_id)`);
}

/** One chip's runs, in `seq` order, to Parquet under a temporary name renamed over `target`. */
async function writeChip(connection: DuckDBConnection, target: string, group: string | null, number: number): Promise<void> {
  const where = `chip_group IS NOT DISTINCT FROM ${group === null ? "NULL" : sqlString(group)} AND chip_number = ${number}`;
  await writeAtomically(target, (temp) =>
    connection
      .run(`COPY (SELECT * FROM histories WHERE ${where} ORDER BY seq) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`)
      .then(() => undefined),
  );
}

function isoOrNull(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : null;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
