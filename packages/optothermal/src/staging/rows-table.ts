import { rm, writeFile } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import { tempBeside } from "./atomic.js";
import { sqlIdent, sqlString, timestampText } from "./sql.js";

/** A table's columns and their DuckDB types, in order. */
export type ColumnTypes = readonly (readonly [string, string])[];

/**
 * Loads plain rows into a temporary table with exactly `columns` (names and types), through a
 * JSON-lines file written beside `near` and removed after (Dates become timestamps): how the
 * manifest and the metrics, built in TypeScript, get into DuckDB to be written as Parquet.
 * @example await createRowsTable(connection, "fresh", MANIFEST_COLUMNS, rows, manifestFile)
 */
export async function createRowsTable(connection: DuckDBConnection, table: string, columns: ColumnTypes, rows: readonly object[], near: string): Promise<void> {
  const select = columns.map(([name, type]) => `CAST(${sqlIdent(name)} AS ${type}) AS ${sqlIdent(name)}`).join(", ");
  if (rows.length === 0) {
    const empty = columns.map(([name, type]) => `NULL::${type} AS ${sqlIdent(name)}`).join(", ");
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${sqlIdent(table)} AS SELECT ${empty} WHERE false`);
    return;
  }
  const json = tempBeside(`${near}.jsonl`);
  const lines = rows.map((row) =>
    JSON.stringify(row, function (this: Record<string, unknown>, key, value: unknown) {
      const original = this[key];
      return original instanceof Date ? timestampText(original) : value;
    }),
  );
  try {
    await writeFile(json, `${lines.join("\n")}\n`);
    const types = columns.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(", ");
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${sqlIdent(table)} AS SELECT ${select} FROM read_json(${sqlString(json)}, format = 'newline_delimited', columns = {${types}})`,
    );
  } finally {
    await rm(json, { force: true });
  }
}
