/** One staged run in `_manifest/manifest.parquet`. */
export interface ManifestRow {
  run_id: string;
  proc: string;
  chip_group: string | null;
  chip_number: number | null;
  source_path: string;
  source_size: number;
  source_mtime_ms: number;
  parquet_path: string;
  rows: number;
  start_time_utc: Date | null;
  date_local: string;
  date_source: "metadata" | "path" | "file_time";
  has_light: boolean;
  duration_s: number | null;
  vds: number | null;
  vg: number | null;
  vg_start: number | null;
  vg_end: number | null;
  vg_step: number | null;
  vsd_start: number | null;
  vsd_end: number | null;
  vsd_step: number | null;
  laser_voltage: number | null;
  laser_wavelength: number | null;
  laser_period: number | null;
  /** Every typed header value (parameters and metadata) as JSON. */
  parameters: string;
  warnings: string[];
  /** IVg only; null for other procedures. */
  open_circuit: boolean | null;
  flat: boolean | null;
  saturated: boolean | null;
  staged_at: Date;
}

/** The manifest's columns and DuckDB types, in file order. */
export const MANIFEST_COLUMNS: readonly (readonly [keyof ManifestRow, string])[] = [
  ["run_id", "VARCHAR"],
  ["proc", "VARCHAR"],
  ["chip_group", "VARCHAR"],
  ["chip_number", "BIGINT"],
  ["source_path", "VARCHAR"],
  ["source_size", "BIGINT"],
  ["source_mtime_ms", "DOUBLE"],
  ["parquet_path", "VARCHAR"],
  ["rows", "BIGINT"],
  ["start_time_utc", "TIMESTAMP"],
  ["date_local", "VARCHAR"],
  ["date_source", "VARCHAR"],
  ["has_light", "BOOLEAN"],
  ["duration_s", "DOUBLE"],
  ["vds", "DOUBLE"],
  ["vg", "DOUBLE"],
  ["vg_start", "DOUBLE"],
  ["vg_end", "DOUBLE"],
  ["vg_step", "DOUBLE"],
  ["vsd_start", "DOUBLE"],
  ["vsd_end", "DOUBLE"],
  ["vsd_step", "DOUBLE"],
  ["laser_voltage", "DOUBLE"],
  ["laser_wavelength", "DOUBLE"],
  ["laser_period", "DOUBLE"],
  ["parameters", "VARCHAR"],
  ["warnings", "VARCHAR[]"],
  ["open_circuit", "BOOLEAN"],
  ["flat", "BOOLEAN"],
  ["saturated", "BOOLEAN"],
  ["staged_at", "TIMESTAMP"],
];

/** The parameter keys copied into their own manifest column. */
export const MAIN_PARAMETERS = [
  "vds", "vg", "vg_start", "vg_end", "vg_step", "vsd_start", "vsd_end", "vsd_step", "laser_voltage", "laser_wavelength", "laser_period",
] as const;
