// The optothermal lab application as a library; `process-and-analyze` (src/cli/) is its command.
export { loadCatalogue, parseCatalogue, DEFAULT_CATALOGUE_PATH } from "./catalogue/load-catalogue.js";
export type { Catalogue, ProcedureSpec, FieldSpec, ColumnSpec, FieldType } from "./catalogue/catalogue-schema.js";
export { parseRawHeader, type RawHeader, type RawField } from "./raw/parse-raw-header.js";
export { interpretRawFile, type RawInterpretation, type FieldValue } from "./raw/interpret-raw-file.js";
export { parseDataRows, type DataRow } from "./raw/parse-data-rows.js";
export type { RawProblem, RawProblemKind } from "./raw/raw-problem.js";
export {
  generateDemoData,
  type DemoDataOptions,
  type DemoDataSummary,
  type DemoFile,
  type BrokenDemoFile,
  type DemoChipSummary,
  type DemoProcedure,
} from "./demo/generate.js";
export type { BrokenKind } from "./demo/broken-files.js";
export * from "./staging/index.js";
export * from "./histories/index.js";
export * from "./metrics/index.js";
export * from "./derived/index.js";
export * from "./plots/index.js";
