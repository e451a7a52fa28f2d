export {
  buildAllHistories,
  historyFileName,
  DEFAULT_MANIFEST_PATH,
  DEFAULT_HISTORIES_DIR,
  DEFAULT_MIN_EXPERIMENTS,
  DEFAULT_HISTORY_TZ,
  type BuildHistoriesOptions,
  type BuildHistoriesSummary,
  type ChipHistorySummary,
} from "./build-histories.js";
export { HistoriesError } from "./histories-error.js";
export { HISTORY_COLUMNS, type HistoryRow } from "./history-row.js";
export { historySummary, formatNumber, type SummaryFields } from "./history-summary.js";
export { readHistory } from "./read-history.js";
export { exportHistoryCsv, DEFAULT_EXPORTS_DIR, type ExportHistoryOptions } from "./export-history-csv.js";
