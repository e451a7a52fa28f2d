import path from "node:path";
import { queryRows } from "../staging/query-parquet.js";
import { sqlString } from "../staging/sql.js";
import { HistoriesError } from "./histories-error.js";
import type { HistoryRow } from "./history-row.js";
import { fileExists } from "../file-exists.js";

/**
 * A chip's history as plain objects in `seq` order (BIGINT as number, TIMESTAMP as Date), for the
 * commands that work from it (plots, metrics).
 * @example (await readHistory("data/02_stage/chip_histories/Alisson79_history.parquet"))[0]?.summary // "IVg dark · Alisson 79 · ..."
 */
export async function readHistory(file: string): Promise<HistoryRow[]> {
  const absolute = path.resolve(file);
  if (!(await fileExists(absolute))) {
    throw new HistoriesError(`no chip history at ${absolute}: run build-all-histories first`);
  }
  const rows = await queryRows(`SELECT * FROM read_parquet(${sqlString(absolute)}) ORDER BY seq`);
  return rows.map((row) => ({ ...row, warnings: row.warnings ?? [] }) as unknown as HistoryRow);
}
