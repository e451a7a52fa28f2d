import { ValidationError } from "pipewright";
import { queryRows } from "../staging/query-parquet.js";
import { sqlIdent, sqlString } from "../staging/sql.js";
import { fileExists } from "../file-exists.js";

/** A run whose staged data a plot reads: a history row or a manifest row. */
export interface StagedRun {
  run_id: string;
  parquet_path: string;
  /** For the message when the file is gone. */
  seq?: number;
}

/**
 * The staged data of `runs`, the given columns (see `config/procedures.yml`) plus `run_id`, in
 * measurement order within each run: one query over all the runs' Parquet files.
 * @example await readRunData(ivgRuns, ["vg_v", "i_a"]) // [{ run_id: "4caf…", vg_v: -5, i_a: 6.1e-5 }, ...]
 */
export async function readRunData(runs: readonly StagedRun[], columns: readonly string[]): Promise<Record<string, unknown>[]> {
  if (runs.length === 0) return [];
  for (const run of runs) {
    if (!(await fileExists(run.parquet_path))) {
      const which = run.seq === undefined ? `run ${run.run_id}` : `seq ${run.seq}`;
      throw new ValidationError(`the staged data of ${which} is missing at ${run.parquet_path}: run stage-all (and build-all-histories) again`);
    }
  }
  const files = `[${runs.map((r) => sqlString(r.parquet_path)).join(", ")}]`;
  return queryRows(
    `SELECT run_id, ${columns.map(sqlIdent).join(", ")} FROM read_parquet(${files}, union_by_name = true, hive_partitioning = false, file_row_number = true) ` +
      "ORDER BY run_id, file_row_number",
  );
}
