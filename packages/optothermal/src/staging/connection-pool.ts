import type { DuckDBConnection } from "@duckdb/node-api";

/** DuckDB connections handed out one caller at a time; a caller waits for a free one. */
export class ConnectionPool {
  private readonly free: DuckDBConnection[];
  private readonly waiting: ((connection: DuckDBConnection) => void)[] = [];

  constructor(connections: readonly DuckDBConnection[]) {
    this.free = [...connections];
  }

  /** Runs `work` on a free connection, then gives the connection to the next caller. */
  async use<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = this.free.pop() ?? (await new Promise<DuckDBConnection>((resolve) => this.waiting.push(resolve)));
    try {
      return await work(connection);
    } finally {
      const next = this.waiting.shift();
      if (next) next(connection);
      else this.free.push(connection);
    }
  }
}
