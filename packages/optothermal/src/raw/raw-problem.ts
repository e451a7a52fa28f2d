/** What is wrong with a raw file. */
export type RawProblemKind =
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
  return { kind, path, line, ...(column === undefined ? {} : { column }), message: `${where}: ${text}` };
}
