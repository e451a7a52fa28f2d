import type { ManifestRow } from "../staging/manifest-row.js";

export type MetricCategory = "electrical" | "photoresponse" | "calibration";

/** One metric of one run in `_metrics/metrics.parquet`. */
export interface MetricRow {
  run_id: string;
  chip_group: string | null;
  chip_number: number | null;
  proc: string;
  start_time_utc: Date | null;
  metric_name: string;
  metric_category: MetricCategory;
  /** Null when the run could not yield the value: `flags` say why. */
  value_float: number | null;
  /** Structured detail (legs, cycles, calibration match) as JSON text. */
  value_json: string | null;
  unit: string | null;
  extraction_method: string;
  extraction_version: string;
  extracted_at: Date;
  /** 0–1 where the algorithm measures its own quality (CNP); null otherwise. */
  confidence: number | null;
  flags: string[];
}

/**
 * The metrics file's columns and DuckDB types, in file order. Other commands read these names:
 * change them only together with their readers.
 */
export const METRIC_COLUMNS: readonly (readonly [keyof MetricRow, string])[] = [
  ["run_id", "VARCHAR"],
  ["chip_group", "VARCHAR"],
  ["chip_number", "BIGINT"],
  ["proc", "VARCHAR"],
  ["start_time_utc", "TIMESTAMP"],
  ["metric_name", "VARCHAR"],
  ["metric_category", "VARCHAR"],
  ["value_float", "DOUBLE"],
  ["value_json", "VARCHAR"],
  ["unit", "VARCHAR"],
  ["extraction_method", "VARCHAR"],
  ["extraction_version", "VARCHAR"],
  ["extracted_at", "TIMESTAMP"],
  ["confidence", "DOUBLE"],
  ["flags", "VARCHAR[]"],
];

/** The metrics that get a column of their own in an enriched history (value_float), in column order. */
export const METRIC_NAMES = ["cnp_voltage", "cnp_forward", "cnp_backward", "hysteresis", "delta_current", "rise_time", "fall_time"] as const;

/** The row of a run whose data could not be read or measured; `value_json` holds the reason. */
export const EXTRACTION_FAILED = "extraction_failed";

/** Flag of every metric row whose value could not be measured. */
export const NO_VALUE_FLAG = "no_value";

/** What an extractor says about one metric; `metricRow` adds the run and the extraction. */
export interface MetricDraft {
  metric_name: string;
  value_float: number | null;
  value_json: string | null;
  unit: string | null;
  confidence: number | null;
  flags: readonly string[];
}

/** How a row was extracted, the same for every row of a run and category. */
export interface Extraction {
  category: MetricCategory;
  method: string;
  version: string;
  at: Date;
}

/**
 * A full metric row: the run's identity from the manifest, the draft, the extraction. A value that
 * is not a finite number is stored as null and flagged `no_value` (beside the algorithm's flags, which
 * say why), so that `value_float IS NULL` and the flag always go together.
 * @example metricRow(run, { metric_name: "rise_time", value_float: 8.3, value_json: null, unit: "s", confidence: null, flags: [] }, extraction)
 */
export function metricRow(run: ManifestRow, draft: MetricDraft, extraction: Extraction): MetricRow {
  const value = draft.value_float !== null && Number.isFinite(draft.value_float) ? draft.value_float : null;
  const flags = value === null && !draft.flags.includes(NO_VALUE_FLAG) ? [...draft.flags, NO_VALUE_FLAG] : [...draft.flags];
  return {
    run_id: run.run_id,
    chip_group: run.chip_group,
    chip_number: run.chip_number,
    proc: run.proc,
    start_time_utc: run.start_time_utc,
    metric_name: draft.metric_name,
    metric_category: extraction.category,
    value_float: value,
    value_json: draft.value_json,
    unit: draft.unit,
    extraction_method: extraction.method,
    extraction_version: extraction.version,
    extracted_at: extraction.at,
    confidence: draft.confidence,
    flags,
  };
}

/**
 * The `extraction_failed` row of a run whose data could not be read or measured: no value, the
 * reason in `value_json` and the flag, so that the batch goes on and the run is tried again next time.
 * @example failedRow(run, "cannot read …/part-000.parquet: …", extraction).flags // ["extraction_failed", "no_value"]
 */
export function failedRow(run: ManifestRow, reason: string, extraction: Extraction): MetricRow {
  const draft = { metric_name: EXTRACTION_FAILED, value_float: null, value_json: JSON.stringify({ reason }), unit: null, confidence: null, flags: [EXTRACTION_FAILED, NO_VALUE_FLAG] };
  return metricRow(run, draft, extraction);
}
