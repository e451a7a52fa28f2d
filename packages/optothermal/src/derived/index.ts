// Derived metrics: every staged run measured (metrics algorithms of ../metrics), one row per metric, histories enriched.
export {
  deriveAllMetrics,
  DEFAULT_DERIVED_DIR,
  DEFAULT_STALE_THRESHOLD_HOURS,
  type DeriveMetricsOptions,
  type DeriveMetricsSummary,
  type ProcedureMetricCounts,
} from "./derive-all-metrics.js";
export { METRIC_COLUMNS, METRIC_NAMES, EXTRACTION_FAILED, NO_VALUE_FLAG, type MetricRow, type MetricCategory } from "./metric-row.js";
export { metricsPath } from "./metrics-file.js";
export { ENRICHED_HISTORIES_DIR } from "./enrich-histories.js";
export { DEFAULT_METRIC_PROCEDURES, RUN_EXTRACTORS, type RunExtractor } from "./run-extractors.js";
