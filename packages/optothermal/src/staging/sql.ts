/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A SQL identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A TIMESTAMP literal (UTC) from a Date, microseconds kept to the millisecond. */
export function sqlTimestamp(date: Date | null): string {
  return date === null ? "NULL::TIMESTAMP" : `make_timestamp(${Math.round(date.getTime()) * 1000}::BIGINT)`;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, as DuckDB reads a TIMESTAMP from text. */
export function timestampText(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}
