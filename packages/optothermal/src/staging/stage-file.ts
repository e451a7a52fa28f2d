import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Catalogue } from "../catalogue/catalogue-schema.js";
import { interpretRawFile, type RawInterpretation } from "../raw/interpret-raw-file.js";
import { checkTable } from "../raw/check-table.js";
import { parseRawHeader, type RawHeader } from "../raw/parse-raw-header.js";
import { readColumn, tableLines } from "../raw/read-column.js";
import { printable } from "../raw/raw-problem.js";
import { tempBeside } from "./atomic.js";
import { MAIN_PARAMETERS, type ManifestRow } from "./manifest-row.js";
import { ivgQuality } from "./quality-flags.js";
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

export type Rejected = Extract<StageFileResult, { kind: "rejected" }>;

/** A raw file read and checked, with the query that stages its table: what `writeStagedFile` needs. */
export interface PreparedFile {
  kind: "prepared";
  input: StageFileInput;
  bytes: Buffer;
  header: RawHeader;
  raw: RawInterpretation;
  procedure: string;
  id: string;
  when: { start: Date | null; date: string; source: ManifestRow["date_source"] };
  dir: string;
  target: string;
  /** `SELECT … FROM read_csv(…)`: the table under its typed names, with run_id, proc and start_dt. */
  query: string;
}

/**
 * Stages one raw file: header in TypeScript, table through DuckDB into
 * `<stageRoot>/proc=<Proc>/date=<local date>/run_id=<id>/part-000.parquet` (written to a temporary
 * name in the stage root, then renamed into place). A file with a problem is rejected with the
 * reason; nothing is written for it.
 */
export async function stageFile(connection: DuckDBConnection, input: StageFileInput): Promise<StageFileResult> {
  const prepared = await prepareFile(input);
  return prepared.kind === "rejected" ? prepared : writeStagedFile(connection, prepared);
}

/**
 * The part of staging that needs no database: reads the file, checks its header against the
 * catalogue, and names its run. `stageAll` prepares the next file while DuckDB writes the last one.
 */
export async function prepareFile(input: StageFileInput): Promise<PreparedFile | Rejected> {
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
  return { kind: "prepared", input, bytes, header, raw, procedure, id, when, dir, target, query: `SELECT ${select} FROM ${read}` };
}

/** Writes a prepared file's table as Parquet and gives its manifest row (or rejects it when DuckDB cannot read it). */
export async function writeStagedFile(connection: DuckDBConnection, prepared: PreparedFile): Promise<StageFileResult> {
  const { input, bytes, header, raw, procedure, id, when, dir, target } = prepared;
  // One pass over the table: CSV → Parquet, written under a temporary name in the stage root (so a
  // rejected file leaves nothing behind), then moved into its run folder. The duration and the IVg
  // quality flags come from the bytes already in memory, read while DuckDB works on its own thread.
  await mkdir(input.stageRoot, { recursive: true });
  const temp = tempBeside(path.join(input.stageRoot, path.basename(target)));
  try {
    const copying = connection.runAndReadAll(`COPY (${prepared.query}) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`);
    // The table is checked against the lab's format too, while DuckDB works: its CSV reader is laxer.
    const lines = tableLines(bytes, header);
    const checked = checkTable(lines, bytes, header, raw, input.catalogue);
    const column = (key: string) => {
      const found = raw.columns.find((c) => c.key === key);
      return found === undefined ? null : readColumn(lines, found.index);
    };
    const time = column("t_s");
    const current = procedure === "IVg" ? column("i_a") : null;
    let rows: number;
    try {
      rows = Number((await copying).getRows()[0]?.[0] ?? 0);
    } catch (error) {
      return { kind: "rejected", procedure, reason: checked.problem?.message ?? `${input.path}: the data table cannot be read: ${duckdbReason(error)}` };
    }
    if (checked.problem !== null) return { kind: "rejected", procedure, reason: checked.problem.message };
    if (checked.rows !== rows) {
      return { kind: "rejected", procedure, reason: `${input.path}: the data table cannot be read: DuckDB read ${rows} rows, the raw reader ${checked.rows}` };
    }
    await mkdir(dir, { recursive: true });
    await rename(temp, target);
    const flags = current === null ? null : ivgQuality(current);
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
      duration_s: time === null ? null : span(time),
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
    await rm(temp, { force: true });
  }
}

/** max − min of the readings; null when there are none. */
function span(values: readonly (number | null)[]): number | null {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === Infinity ? null : max - min;
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
  return printable(text.split("\n").map((l) => l.trim()).filter((l) => l !== "").slice(0, 2).join(" ").slice(0, 500));
}
