import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Catalogue } from "../catalogue/catalogue-schema.js";
import { interpretRawFile, type RawInterpretation } from "../raw/interpret-raw-file.js";
import { parseRawHeader } from "../raw/parse-raw-header.js";
import { writeAtomically } from "./atomic.js";
import { MAIN_PARAMETERS, type ManifestRow } from "./manifest-row.js";
import { QUALITY_SQL, qualityFlags } from "./quality-flags.js";
import { runId } from "./run-id.js";
import { sqlIdent, sqlString, sqlTimestamp } from "./sql.js";

export interface StageFileInput {
  /** Absolute path of the raw file. */
  path: string;
  size: number;
  mtimeMs: number;
  catalogue: Catalogue;
  stageRoot: string;
  tz: string;
}

export type StageFileResult = { kind: "staged"; row: ManifestRow } | { kind: "rejected"; procedure: string | null; reason: string };

const SQL_TYPE = { float: "DOUBLE", int: "BIGINT" } as const;

/**
 * Stages one raw file: header in TypeScript, table through DuckDB into
 * `<stageRoot>/proc=<Proc>/date=<local date>/run_id=<id>/part-000.parquet` (written to a temporary
 * name, then renamed). A file with a problem is rejected with the reason; nothing is written for it.
 */
export async function stageFile(connection: DuckDBConnection, input: StageFileInput): Promise<StageFileResult> {
  const bytes = await readFile(input.path);
  const header = parseRawHeader(bytes, input.path);
  const raw = interpretRawFile(header, input.catalogue);
  const procedure = raw.procedure;
  if (raw.problems.length > 0 || raw.spec === null || procedure === null || header.tableLine === null || header.tableOffset === null) {
    const reason = raw.problems.map((p) => p.message).join("; ") || "the file cannot be read";
    return { kind: "rejected", procedure, reason };
  }
  const newline = bytes.indexOf(0x0a, header.tableOffset);
  const data = newline === -1 ? bytes.subarray(bytes.length) : bytes.subarray(newline + 1);
  const id = runId(procedure, raw.chip, raw.startTime, data);
  const when = dateOf(raw, input);
  const dir = path.join(input.stageRoot, `proc=${procedure}`, `date=${when.date}`, `run_id=${id}`);
  const target = path.join(dir, "part-000.parquet");

  const known = new Map(raw.columns.map((c) => [c.index, c]));
  // Columns the catalogue does not know are read as text and left out.
  const typed = header.columns.map((name, i) => {
    const column = known.get(i);
    return `${sqlString(name)}: ${sqlString(column === undefined ? "VARCHAR" : SQL_TYPE[column.type])}`;
  });
  const select = [
    ...raw.columns.map((c) => `${sqlIdent(c.name)} AS ${sqlIdent(c.key)}`),
    `${sqlString(id)} AS run_id`,
    `${sqlString(procedure)} AS proc`,
    `${sqlTimestamp(raw.startTime)} AS start_dt`,
  ].join(", ");
  const read =
    `read_csv(${sqlString(input.path)}, skip = ${header.tableLine - 1}, header = true, auto_detect = false, delim = ',', quote = '"', ` +
    `nullstr = ['nan', 'NaN', ''], strict_mode = true, columns = {${typed.join(", ")}})`;
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE data AS SELECT ${select} FROM ${read}`);
  } catch (error) {
    return { kind: "rejected", procedure, reason: `${input.path}: the data table cannot be read: ${duckdbReason(error)}` };
  }
  try {
    const keys = new Set(raw.columns.map((c) => c.key));
    const stats = [
      "count(*) AS rows",
      keys.has("t_s") ? "max(t_s) - min(t_s) AS duration" : "NULL::DOUBLE AS duration",
      ...(procedure === "IVg" && keys.has("i_a") ? [QUALITY_SQL] : []),
    ].join(", ");
    const reader = await connection.runAndReadAll(`SELECT ${stats} FROM data`);
    const s = reader.getRowObjectsJS()[0] ?? {};
    const rows = Number(s.rows ?? 0);
    await mkdir(dir, { recursive: true });
    await writeAtomically(target, (temp) => connection.run(`COPY data TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`).then(() => undefined));
    const flags =
      procedure === "IVg" && keys.has("i_a")
        ? qualityFlags({ peak: numberOrNull(s.peak), low: numberOrNull(s.low), n: Number(s.n ?? 0), nearPeak: Number(s.near_peak ?? 0) })
        : null;
    const warnings = [
      ...raw.unknown.parameters.map((n) => `parameter \`${n}\` is not in the catalogue`),
      ...raw.unknown.metadata.map((n) => `metadata \`${n}\` is not in the catalogue`),
      ...raw.unknown.columns.map((n) => `column \`${n}\` is not in the catalogue (not staged)`),
      ...(rows === 0 ? ["the data table has no rows"] : []),
    ];
    const p = raw.parameters;
    const main = Object.fromEntries(MAIN_PARAMETERS.map((k) => [k, numberOrNull(p[k])])) as Record<(typeof MAIN_PARAMETERS)[number], number | null>;
    const row: ManifestRow = {
      run_id: id,
      proc: procedure,
      chip_group: raw.chip?.group ?? null,
      chip_number: raw.chip?.number ?? null,
      source_path: input.path,
      source_size: input.size,
      source_mtime_ms: input.mtimeMs,
      parquet_path: target,
      rows,
      start_time_utc: when.start,
      date_local: when.date,
      date_source: when.source,
      has_light: main.laser_wavelength !== null && main.laser_voltage !== null && main.laser_voltage !== 0,
      duration_s: numberOrNull(s.duration),
      ...main,
      parameters: JSON.stringify({ ...raw.parameters, ...raw.metadata }, jsonValue),
      warnings,
      open_circuit: flags?.open_circuit ?? null,
      flat: flags?.flat ?? null,
      saturated: flags?.saturated ?? null,
      staged_at: new Date(),
    };
    return { kind: "staged", row };
  } finally {
    await connection.run("DROP TABLE IF EXISTS data");
  }
}

function numberOrNull(value: unknown): number | null {
  if (typeof value === "bigint") return Number(value);
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function jsonValue(this: unknown, _key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

const DATE_IN_PATH = /(\d{4}-\d{2}-\d{2})/;

/** The run's local date: from the start time, else a date in the file name or folder, else the file's time. */
function dateOf(raw: RawInterpretation, input: StageFileInput): { start: Date | null; date: string; source: ManifestRow["date_source"] } {
  if (raw.startTime !== null) return { start: raw.startTime, date: localDate(raw.startTime, input.tz), source: "metadata" };
  const match = DATE_IN_PATH.exec(path.basename(input.path)) ?? DATE_IN_PATH.exec(path.dirname(input.path));
  if (match?.[1] !== undefined) return { start: null, date: match[1], source: "path" };
  const mtime = new Date(input.mtimeMs);
  return { start: mtime, date: localDate(mtime, input.tz), source: "file_time" };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of an instant in a time zone. */
export function localDate(date: Date, tz: string): string {
  let format = formatters.get(tz);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(tz, format);
  }
  return format.format(date);
}

/** DuckDB's CSV errors run over many lines of hints: the first two say what and where. */
function duckdbReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "").slice(0, 2).join(" ");
}
