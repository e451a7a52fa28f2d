/** The first line of an error's message: DuckDB's errors go on with context that a summary does not need. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
