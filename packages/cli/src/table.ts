import type { Colors } from "./output.js";

export interface Column {
  header: string;
  align?: "left" | "right";
}

/** A cell: plain text, or text with the style that colours it (padding stays outside the colour codes). */
export type Cell = string | { text: string; style: (text: string) => string };

/**
 * Aligned columns, as the run summary prints them: a dim header line and one line per row, indented by
 * two spaces, two spaces between columns, no trailing spaces. The rows come back apart, so that callers
 * can put lines of their own under a row.
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly Cell[])[], c: Colors): { header: string; rows: string[] } {
  const text = (cell: Cell | undefined) => (typeof cell === "string" ? cell : (cell?.text ?? ""));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => text(row[i]).length)));
  const line = (cells: readonly Cell[]) => {
    const padded = columns.map((column, i) => {
      const cell = cells[i] ?? "";
      const styled = typeof cell === "string" ? cell : cell.style(cell.text);
      const padding = " ".repeat((widths[i] ?? 0) - text(cell).length);
      return column.align === "right" ? padding + styled : styled + padding;
    });
    return `  ${padded.join("  ")}`.trimEnd();
  };
  return { header: c.dim(line(columns.map((column) => column.header))), rows: rows.map(line) };
}
