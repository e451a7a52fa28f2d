/** One run in a chip's `<group><number>_history.parquet`, as `readHistory` returns it. */
export interface HistoryRow {
  /** 1..N in start-time order within the chip. */
  seq: number;
  run_id: string;
  proc: string;
  chip_group: string | null;
  chip_number: number;
  start_time_utc: Date | null;
  /** `YYYY-MM-DD`. */
  date_utc: string | null;
  /** `HH:MM:SS`. */
  time_utc: string | null;
  /** In the lab's time zone; from the manifest when the run has no start time. */
  date_local: string;
  time_local: string | null;
  /** One line for people: light or dark, procedure, chip, key parameters. */
  summary: string;
  has_light: boolean;
  duration_s: number | null;
  rows: number;
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
  /** Every typed header value as JSON, as in the manifest. */
  parameters: string;
  open_circuit: boolean | null;
  flat: boolean | null;
  saturated: boolean | null;
  warnings: string[];
  /** The staged Parquet of the run's data. */
  parquet_path: string;
  /** The raw file's base name. */
  source_file: string;
  source_path: string;
}

/**
 * A history file's columns and DuckDB types, in file order. Other commands read these names:
 * change them only together with their readers.
 */
export const HISTORY_COLUMNS: readonly (readonly [keyof HistoryRow, string])[] = [
  ["seq", "BIGINT"],
  ["run_id", "VARCHAR"],
  ["proc", "VARCHAR"],
  ["chip_group", "VARCHAR"],
  ["chip_number", "BIGINT"],
  ["start_time_utc", "TIMESTAMP"],
  ["date_utc", "VARCHAR"],
  ["time_utc", "VARCHAR"],
  ["date_local", "VARCHAR"],
  ["time_local", "VARCHAR"],
  ["summary", "VARCHAR"],
  ["has_light", "BOOLEAN"],
  ["duration_s", "DOUBLE"],
  ["rows", "BIGINT"],
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
  ["open_circuit", "BOOLEAN"],
  ["flat", "BOOLEAN"],
  ["saturated", "BOOLEAN"],
  ["warnings", "VARCHAR[]"],
  ["parquet_path", "VARCHAR"],
  ["source_file", "VARCHAR"],
  ["source_path", "VARCHAR"],
];
