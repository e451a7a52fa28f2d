import { pyFloat } from "./py-float.js";

/** One raw measurement file, before rendering. */
export interface RawFile {
  /** The last dotted part of `#Procedure:` (IVg, It, LaserCalibration…). */
  procedure: string;
  /** `[name, value-with-unit]` in the order the acquisition software writes them. */
  parameters: readonly (readonly [string, string])[];
  metadata: readonly (readonly [string, string])[];
  columns: readonly string[];
  /** NaN is written `nan`, like the real files' unmeasured temperature and clock columns. */
  rows: readonly (readonly number[])[];
}

const EOL = "\r\n";

/** Renders a file exactly in the real layout: CRLF, `#\tName: value` lines, a CSV table after `#Data:`. */
export function renderRawFile(file: RawFile): string {
  const lines = [
    `#Procedure: <laser_setup.procedures.${file.procedure}.${file.procedure}>`,
    "#Parameters:",
    ...file.parameters.map(([name, value]) => `#\t${name}: ${value}`),
    // An aborted run writes no metadata section at all (seen in the real data).
    ...(file.metadata.length > 0 ? ["#Metadata:", ...file.metadata.map(([name, value]) => `#\t${name}: ${value}`)] : []),
    "#Data:",
    file.columns.join(","),
    ...file.rows.map((row) => row.map(pyFloat).join(",")),
  ];
  return lines.join(EOL) + EOL;
}

/** A parameter value as the software prints it: `0.1 V`, `5 V`, `455` (no trailing `.0`). */
export function quantity(value: number, unit?: string): string {
  return unit === undefined ? String(value) : `${value} ${unit}`;
}

/** The smallest Keithley current range above the largest current, as the lab sets `Irange`. */
export function currentRange(maxAbsCurrent: number): number {
  return [1e-6, 1e-5, 1e-4, 1e-3].find((range) => range > maxAbsCurrent * 1.2) ?? 1e-2;
}

/** Columns every newer-software procedure writes but does not measure (always nan). */
export const UNMEASURED_COLUMNS = ["Plate T (degC)", "Ambient T (degC)", "Clock (ms)"] as const;
export const UNMEASURED_VALUES = [NaN, NaN, NaN] as const;
