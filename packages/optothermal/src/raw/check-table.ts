import type { Catalogue } from "../catalogue/catalogue-schema.js";
import type { RawInterpretation } from "./interpret-raw-file.js";
import { parseDataRows } from "./parse-data-rows.js";
import type { RawHeader } from "./parse-raw-header.js";
import { rawProblem, type RawProblem } from "./raw-problem.js";

// A cell as `parseNumber` accepts it: a plain decimal, inf, nan or nothing, spaces around allowed.
const NUMBER_CELL = String.raw`\s*(?:[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN]|)\s*`;
const ANY_CELL = "[^,]*";

/**
 * Checks every row of a raw file's data table against the lab's format: as many cells as the header
 * names, and a number (or `nan`) in every column the catalogue types. DuckDB's CSV reader is laxer
 * (found by fuzzing: it reads a row with extra empty cells at its end — even a line of a million
 * commas — and `1_000` as 1000), so staging asks this too. `lines`: the table's, as `tableLines` gives them. One regular expression per line keeps it
 * cheap (≈ 0.7 ms for a 3,000-row trace, 15× less than parsing every cell); the first bad row is
 * then described by the raw reader, which says where and what.
 * @example checkTable(tableLines(bytes, header), bytes, header, raw, catalogue) // { rows: 601, problem: null }
 */
export function checkTable(
  lines: readonly string[],
  bytes: Buffer,
  header: RawHeader,
  raw: RawInterpretation,
  catalogue: Catalogue,
): { rows: number; problem: RawProblem | null } {
  const typed = new Set(raw.columns.map((c) => c.index));
  const row = new RegExp(`^${header.columns.map((_, i) => (typed.has(i) ? NUMBER_CELL : ANY_CELL)).join(",")}$`);
  let rows = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] ?? "").trimEnd();
    if (line === "") continue;
    if (!row.test(line)) {
      const where = (header.tableLine ?? 0) + i;
      return { rows, problem: parseDataRows(bytes, header, catalogue).problem ?? rawProblem("bad-row", header.path, where, `the row is not ${header.columns.length} cells of numbers`) };
    }
    rows++;
  }
  return { rows, problem: null };
}
