import { DuckDBInstance } from "@duckdb/node-api";

/**
 * Runs one query on a fresh in-memory DuckDB and returns its rows as plain objects (BIGINT as number):
 * for reading staged Parquet back in tests and small tools, not for bulk work.
 * @example await queryRows(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`) // [{ n: 601 }]
 */
export async function queryRows(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
