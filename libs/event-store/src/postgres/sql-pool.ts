/** The subset of node-postgres' Pool the event store uses; PGlite gets the same shape via PGlitePool. */
export interface SqlResult {
  rows: any[];
  rowCount?: number | null;
}

export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<SqlResult>;
  release(err?: Error | boolean): void;
}

export interface SqlPool {
  connect(): Promise<SqlClient>;
  query(sql: string, params?: unknown[]): Promise<SqlResult>;
  end(): Promise<void>;
}
