import { mkdir } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { ValidationError } from "pipewright";
import { ENRICHED_HISTORIES_DIR } from "../derived/enrich-histories.js";
import { DEFAULT_DERIVED_DIR } from "../derived/derive-all-metrics.js";
import { writeAtomically } from "../staging/atomic.js";
import { sqlString } from "../staging/sql.js";
import { DEFAULT_HISTORIES_DIR, historyFileName } from "./build-histories.js";
import { fileExists } from "../file-exists.js";

export interface ExportHistoryOptions {
  group: string;
  number: number;
  historiesDir?: string;
  /** Where derive-all-metrics wrote; its enriched history (with metric columns) is preferred. */
  derivedDir?: string;
  /** The CSV to write. @default data/05_exports/<chip>_history.csv */
  output?: string;
}

export const DEFAULT_EXPORTS_DIR = "data/05_exports";

/**
 * Writes a chip's history as CSV, for a spreadsheet or a colleague without Parquet tools: the enriched
 * history (with its metric columns) when derive-all-metrics made one, else the plain history.
 * @example await exportHistoryCsv({ group: "Alisson", number: 79 }) // { path: "data/05_exports/Alisson79_history.csv", rows: 17, enriched: true }
 */
export async function exportHistoryCsv(options: ExportHistoryOptions): Promise<{ path: string; rows: number; enriched: boolean }> {
  const name = historyFileName(options.group, options.number);
  const enrichedFile = path.join(options.derivedDir ?? DEFAULT_DERIVED_DIR, ENRICHED_HISTORIES_DIR, name);
  const plainFile = path.join(options.historiesDir ?? DEFAULT_HISTORIES_DIR, name);
  const enriched = await fileExists(enrichedFile);
  const source = enriched ? enrichedFile : plainFile;
  if (!enriched && !(await fileExists(plainFile))) {
    throw new ValidationError(`no history for chip ${options.group}${options.number} in ${path.dirname(plainFile)}: run build-all-histories first (is the chip group right?)`);
  }
  const output = path.resolve(options.output ?? path.join(DEFAULT_EXPORTS_DIR, name.replace(/\.parquet$/, ".csv")));
  await mkdir(path.dirname(output), { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const select = `SELECT * FROM read_parquet(${sqlString(source)}) ORDER BY seq`;
    await writeAtomically(output, (temp) => connection.run(`COPY (${select}) TO ${sqlString(temp)} (FORMAT csv, HEADER)`).then(() => undefined));
    const [counted] = (await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(source)})`)).getRowObjectsJS();
    return { path: output, rows: Number(counted?.n ?? 0), enriched };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
