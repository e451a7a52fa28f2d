import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlIdent, sqlString } from "../staging/sql.js";

/**
 * Named numeric columns of a staged run's Parquet, in file order, as arrays (an empty cell is NaN,
 * as the metrics algorithms expect). Throws DuckDB's error when the file or a column is missing.
 * @example await readRunColumns(connection, run.parquet_path, ["vg_v", "i_a"]) // { vg_v: [-5, -4.95, …], i_a: [1.2e-6, …] }
 */
export async function readRunColumns(connection: DuckDBConnection, file: string, columns: readonly string[]): Promise<Record<string, number[]>> {
  const reader = await connection.runAndReadAll(`SELECT ${columns.map(sqlIdent).join(", ")} FROM read_parquet(${sqlString(file)})`);
  const values = reader.getColumnsJS();
  return Object.fromEntries(columns.map((name, i) => [name, (values[i] ?? []).map((v) => (v === null ? NaN : Number(v)))]));
}
