import type { RawHeader } from "./parse-raw-header.js";

/** The data table's lines, its header row first (latin1: the bytes as they are, one char each). */
export function tableLines(bytes: Buffer, header: RawHeader): string[] {
  return header.tableOffset === null ? [] : bytes.toString("latin1", header.tableOffset).split("\n");
}

/**
 * The readings of one column of a raw file's data table (`nan`, empty and unreadable cells are null),
 * for the few figures staging needs from the data itself — cheaper than asking DuckDB a second time.
 * Only for a table DuckDB has already read with the column's type: `Number` then parses every cell
 * as the stricter `parseNumber` would, without its cost on a trace of thousands of rows.
 * @example readColumn(tableLines(bytes, header), 1) // [4.04e-5, 4.01e-5, null, …]
 */
export function readColumn(lines: readonly string[], index: number): (number | null)[] {
  const values: (number | null)[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const cell = cellAt(line, index).trim();
    const value = cell === "" ? NaN : Number(cell);
    values.push(Number.isNaN(value) ? null : value);
  }
  return values;
}

/** The `index`-th comma-separated cell of `line`, without splitting the whole line. */
function cellAt(line: string, index: number): string {
  let start = 0;
  for (let k = 0; k < index; k++) {
    const comma = line.indexOf(",", start);
    if (comma === -1) return "";
    start = comma + 1;
  }
  const end = line.indexOf(",", start);
  return line.slice(start, end === -1 ? undefined : end);
}
