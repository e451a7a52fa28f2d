import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { writeAtomically } from "../staging/atomic.js";
import { sqlIdent, sqlString } from "../staging/sql.js";
import { METRIC_NAMES } from "./metric-row.js";

/** The folder of enriched histories under the derived output. */
export const ENRICHED_HISTORIES_DIR = "chip_histories_enriched";

/** A chip history's file name, as build-all-histories writes it. */
const HISTORY_FILE = /_history\.parquet$/;

/**
 * Writes, for each `*_history.parquet` in `historiesDir`, `<outputDir>/chip_histories_enriched/<same name>`:
 * the history's columns, then one DOUBLE column per metric of `METRIC_NAMES` (null where the run has
 * none) and the calibration columns `calibration_status`, `calibration_run_id`, `calibration_age_hours`,
 * `irradiated_power_w`. The columns are always all there, whatever the runs, so readers can rely on them.
 * Returns the files written; none when `historiesDir` does not exist.
 * @example await enrichHistories(connection, "data/02_stage/chip_histories", "data/03_derived/_metrics/metrics.parquet", "data/03_derived")
 * // ["data/03_derived/chip_histories_enriched/Alisson79_history.parquet", …]
 */
export async function enrichHistories(connection: DuckDBConnection, historiesDir: string, metricsFile: string, outputDir: string): Promise<string[]> {
  const entries = await readdir(historiesDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const histories = entries.filter((name) => HISTORY_FILE.test(name)).sort();
  if (histories.length === 0) return [];

  const pivot = METRIC_NAMES.map((name) => `max(value_float) FILTER (WHERE metric_name = ${sqlString(name)}) AS ${sqlIdent(name)}`);
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE run_metrics AS
     SELECT run_id, ${pivot.join(", ")},
       any_value(json_extract_string(value_json, '$.status')) FILTER (WHERE metric_name = 'irradiated_power') AS calibration_status,
       any_value(json_extract_string(value_json, '$.calibration_run_id')) FILTER (WHERE metric_name = 'irradiated_power') AS calibration_run_id,
       any_value(CAST(json_extract(value_json, '$.age_hours') AS DOUBLE)) FILTER (WHERE metric_name = 'irradiated_power') AS calibration_age_hours,
       any_value(value_float) FILTER (WHERE metric_name = 'irradiated_power') AS irradiated_power_w
     FROM read_parquet(${sqlString(metricsFile)}) GROUP BY run_id`,
  );
  const added = [...METRIC_NAMES, "calibration_status", "calibration_run_id", "calibration_age_hours", "irradiated_power_w"].map((c) => `m.${sqlIdent(c)}`);
  const target = path.join(outputDir, ENRICHED_HISTORIES_DIR);
  await mkdir(target, { recursive: true });
  const written: string[] = [];
  try {
    for (const name of histories) {
      const out = path.join(target, name);
      await writeAtomically(out, (temp) =>
        connection
          .run(
            `COPY (SELECT h.*, ${added.join(", ")} FROM read_parquet(${sqlString(path.join(historiesDir, name))}) AS h
             LEFT JOIN run_metrics AS m ON m.run_id = h.run_id ORDER BY h.seq) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`,
          )
          .then(() => undefined),
      );
      written.push(out);
    }
  } finally {
    await connection.run("DROP TABLE IF EXISTS run_metrics");
  }
  return written;
}
