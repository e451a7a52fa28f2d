import path from "node:path";
import { ValidationError } from "pipewright";
import { DEFAULT_DERIVED_DIR } from "../derived/derive-all-metrics.js";
import { metricsPath } from "../derived/metrics-file.js";
import { queryRows } from "../staging/query-parquet.js";
import { sqlString } from "../staging/sql.js";
import { fileExists } from "../file-exists.js";

/** Where derive-all-metrics writes the metrics by default. */
export const DEFAULT_METRICS_PATH = metricsPath(DEFAULT_DERIVED_DIR);

/** One metric of one run, the latest extraction of it. */
export interface ChipMetric {
  run_id: string;
  metric_name: string;
  value_float: number | null;
  value_json: string | null;
  unit: string | null;
  flags: string[];
}

/**
 * A chip's metrics of the given names, one row per run and metric: when a metric was extracted more
 * than once, the latest extraction.
 * @example await readChipMetrics("data/03_derived/_metrics/metrics.parquet", "Alisson", 79, ["cnp_voltage"]) // [{ run_id, metric_name: "cnp_voltage", value_float: 0.42, ... }]
 */
export async function readChipMetrics(
  file: string,
  group: string | null,
  number: number,
  names: readonly string[],
): Promise<ChipMetric[]> {
  const absolute = path.resolve(file);
  if (!(await fileExists(absolute))) {
    throw new ValidationError(`no metrics file at ${absolute}: run derive-all-metrics first (this plot draws derived metrics)`);
  }
  const rows = await queryRows(
    `SELECT run_id, metric_name, value_float, value_json, unit, flags FROM read_parquet(${sqlString(absolute)})
     WHERE chip_group IS NOT DISTINCT FROM ${group === null ? "NULL" : sqlString(group)} AND chip_number = ${number}
       AND metric_name IN (${names.map(sqlString).join(", ")})
     QUALIFY row_number() OVER (PARTITION BY run_id, metric_name ORDER BY extracted_at DESC) = 1`,
  );
  return rows.map((row) => ({ ...row, flags: row.flags ?? [] }) as unknown as ChipMetric);
}

/**
 * `metric_name` → `run_id` → row, for joining metrics to runs.
 * @example metricsByName(rows).get("cnp_voltage")?.get(runId)?.value_float // 0.42
 */
export function metricsByName(rows: readonly ChipMetric[]): Map<string, Map<string, ChipMetric>> {
  const byName = new Map<string, Map<string, ChipMetric>>();
  for (const row of rows) {
    const runs = byName.get(row.metric_name) ?? new Map<string, ChipMetric>();
    runs.set(row.run_id, row);
    byName.set(row.metric_name, runs);
  }
  return byName;
}
