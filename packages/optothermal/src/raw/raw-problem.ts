/** What is wrong with a raw file. */
export type RawProblemKind =
  | "not-text"
  | "no-procedure"
  | "bad-header-line"
  | "no-data-section"
  | "no-table-header"
  | "unknown-procedure"
  | "missing-chip"
  | "missing-field"
  | "missing-column"
  | "bad-value"
  | "unit-mismatch"
  | "bad-row";

/** One problem of one raw file; `message` names the file and the line (`path:line: ...`). */
export interface RawProblem {
  kind: RawProblemKind;
  path: string;
  /** 1-based line of the file. */
  line: number;
  /** 1-based column of the data table, for problems in a cell. */
  column?: number;
  message: string;
}

export function rawProblem(kind: RawProblemKind, path: string, line: number, text: string, column?: number): RawProblem {
  const where = column === undefined ? `${path}:${line}` : `${path}:${line}:${column}`;
  return { kind, path, line, ...(column === undefined ? {} : { column }), message: `${where}: ${printable(text)}` };
}

/**
 * Control characters written as `\xNN`: a problem quotes the file's text, and (found by fuzzing) a
 * flipped bit or a NUL byte there would otherwise reach the terminal and the rejects file raw.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
