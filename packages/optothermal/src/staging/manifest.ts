import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { writeAtomically } from "./atomic.js";
import { MANIFEST_COLUMNS, type ManifestRow } from "./manifest-row.js";
import { createRowsTable } from "./rows-table.js";
import { sqlString } from "./sql.js";
import { fileExists } from "../file-exists.js";

export { MANIFEST_COLUMNS, MAIN_PARAMETERS, type ManifestRow } from "./manifest-row.js";

/** `<stageRoot>/_manifest/manifest.parquet`. */
export function manifestPath(stageRoot: string): string {
  return path.join(stageRoot, "_manifest", "manifest.parquet");
}


/** The manifest's rows, or none when it does not exist yet. */
export async function readManifest(connection: DuckDBConnection, file: string): Promise<ManifestRow[]> {
  if (!(await fileExists(file))) return [];
  const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`);
  return reader.getRowObjectsJS().map((r) => {
    const row: Record<string, unknown> = {};
    for (const [name, type] of MANIFEST_COLUMNS) {
      const value = r[name] ?? null;
      row[name] = typeof value === "bigint" ? Number(value) : type === "VARCHAR[]" && value === null ? [] : value;
    }
    return row as unknown as ManifestRow;
  });
}

/**
 * Writes the manifest atomically: the rows go into DuckDB and out as Parquet under a temporary name,
 * renamed over the manifest.
 */
export async function writeManifest(connection: DuckDBConnection, file: string, rows: Iterable<ManifestRow>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const sorted = [...rows].sort((a, b) => (a.start_time_utc?.getTime() ?? 0) - (b.start_time_utc?.getTime() ?? 0) || a.run_id.localeCompare(b.run_id));
  await createRowsTable(connection, "manifest_rows", MANIFEST_COLUMNS, sorted, file);
  try {
    await writeAtomically(file, (temp) => connection.run(`COPY manifest_rows TO ${sqlString(temp)} (FORMAT parquet)`).then(() => undefined));
  } finally {
    await connection.run("DROP TABLE IF EXISTS manifest_rows");
  }
}
