import { renderRawFile, type RawFile } from "./raw-writer.js";

/** The ways a demo file is deliberately broken, to exercise the raw reader's error paths. */
export const BROKEN_KINDS = [
  "missing-data-marker",
  "truncated-row",
  "unparsable-number",
  "unknown-procedure",
  "aborted-no-metadata",
] as const;
export type BrokenKind = (typeof BROKEN_KINDS)[number];

/** The procedure name an unknown-procedure file declares. */
export const UNKNOWN_PROCEDURE = "Mystery";

export interface BrokenContent {
  /** The procedure the file declares (and is named after). */
  procedure: string;
  reason: string;
  text: string;
}

/** Breaks a good file one way; `reason` says exactly what a reader should report. */
export function breakFile(kind: BrokenKind, base: RawFile): BrokenContent {
  const { procedure } = base;
  switch (kind) {
    case "missing-data-marker":
      return {
        procedure,
        reason: "no `#Data:` line: the table follows the metadata directly",
        text: renderRawFile(base).replace("#Data:\r\n", ""),
      };
    case "truncated-row": {
      const lines = renderRawFile(base).split("\r\n");
      const row = Math.floor(base.rows.length * 0.6);
      const index = headerLines(base) + row;
      const line = lines[index] ?? "";
      const cut = line.slice(0, line.indexOf(",") + 4);
      return {
        procedure,
        reason: `truncated in data row ${row + 1} (line ${index + 1}): ends with "${cut}" and no line break`,
        text: [...lines.slice(0, index), cut].join("\r\n"),
      };
    }
    case "unparsable-number": {
      const row = Math.floor(base.rows.length / 3);
      const lines = renderRawFile(base).split("\r\n");
      const index = headerLines(base) + row;
      const cells = (lines[index] ?? "").split(",");
      const value = cells[1] ?? "";
      const garbled = `${value.slice(0, 3)}#${value.slice(3)}`;
      cells[1] = garbled;
      lines[index] = cells.join(",");
      return {
        procedure,
        reason: `data row ${row + 1} (line ${index + 1}), column "${base.columns[1]}": "${garbled}" is not a number`,
        text: lines.join("\r\n"),
      };
    }
    case "unknown-procedure":
      return {
        procedure: UNKNOWN_PROCEDURE,
        reason: `procedure "${UNKNOWN_PROCEDURE}" is not a known procedure`,
        text: renderRawFile({ ...base, procedure: UNKNOWN_PROCEDURE }),
      };
    case "aborted-no-metadata":
      return {
        procedure,
        reason: "aborted run: no `#Metadata:` section (so no start time) and no data rows",
        text: renderRawFile({ ...base, metadata: [], rows: [] }),
      };
  }
}

/** Lines before the first data row: procedure, the two section titles, `#Data:`, the column header. */
function headerLines(file: RawFile): number {
  return 5 + file.parameters.length + file.metadata.length;
}
