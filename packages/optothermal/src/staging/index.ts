export {
  stageAll,
  StagingRejectsError,
  DEFAULT_RAW_ROOT,
  DEFAULT_STAGE_ROOT,
  DEFAULT_STAGE_TZ,
  type StageAllOptions,
  type StageAllSummary,
  type ProcedureCounts,
} from "./stage-all.js";
export { stageFile, localDate, type StageFileInput, type StageFileResult } from "./stage-file.js";
export { manifestPath, readManifest, writeManifest, MANIFEST_COLUMNS, MAIN_PARAMETERS, type ManifestRow } from "./manifest.js";
export { rejectsPath, readRejects, writeRejects, type RejectRecord } from "./rejects.js";
export { journalPath } from "./staging-journal.js";
export { runId } from "./run-id.js";
export { qualityFlags, type QualityFlags } from "./quality-flags.js";
export { queryRows } from "./query-parquet.js";
export { sqlString } from "./sql.js";
