import type { Catalogue } from "../catalogue/catalogue-schema.js";
import { interpretRawFile } from "./interpret-raw-file.js";
import { asBuffer } from "./bytes.js";
import { parseNumber } from "./parse-number.js";
import type { RawHeader } from "./parse-raw-header.js";
import { rawProblem, type RawProblem } from "./raw-problem.js";

/** A table row by catalogue column key; `nan` is null. Columns the catalogue does not know are left out. */
export type DataRow = Record<string, number | null>;

/**
 * Reads the data table of a small raw file, typed by the catalogue. Stops at the first problem:
 * `rows` then holds the rows before it. Bulk data goes through DuckDB instead.
 * @example parseDataRows(text, parseRawHeader(text, path), catalogue).rows[0] // { vg_v: 0, i_a: 4.04e-5, ... }
 */
export function parseDataRows(content: string | Uint8Array, header: RawHeader, catalogue: Catalogue): { rows: DataRow[]; problem: RawProblem | null } {
  const { columns, problems } = interpretRawFile(header, catalogue);
  const blocking = problems.find((p) => ["no-data-section", "no-table-header", "unknown-procedure", "no-procedure"].includes(p.kind));
  if (blocking !== undefined || header.tableOffset === null || header.tableLine === null) {
    return { rows: [], problem: blocking ?? null };
  }
  const bytes = asBuffer(content);
  const lines = bytes.toString("utf8", header.tableOffset).split("\n");
  const rows: DataRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const text = (lines[i] ?? "").trimEnd();
    if (text === "") continue;
    const line = header.tableLine + i;
    const cells = text.split(",");
    if (cells.length !== header.columns.length) {
      const problem = rawProblem("bad-row", header.path, line, `expected ${header.columns.length} cells, found ${cells.length}`);
      return { rows, problem };
    }
    const row: DataRow = {};
    for (const column of columns) {
      const cell = cells[column.index] ?? "";
      const value = parseNumber(cell);
      if (value === undefined || (column.type === "int" && value !== null && !Number.isInteger(value))) {
        const problem = rawProblem("bad-value", header.path, line, `column \`${column.name}\`: \`${cell.trim()}\` is not ${column.type === "int" ? "an integer" : "a number"}`, column.index + 1);
        return { rows, problem };
      }
      row[column.key] = value;
    }
    rows.push(row);
  }
  return { rows, problem: null };
}
