import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import { SqlClient, SqlPool, SqlResult } from './sql-pool';

type Callback<T> = (err: Error | null, value?: T) => void;

/**
 * PGlite is a single connection. Everything in the process (event store, TypeORM) shares one
 * instance through this pool, which hands out one client at a time: a transaction owns the
 * connection from BEGIN to COMMIT, so statements of two callers never interleave inside it.
 * It speaks both the promise and the callback style of node-postgres, because TypeORM uses both.
 */
export class PGlitePool extends EventEmitter implements SqlPool {
  private tail: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(readonly db: PGlite) {
    super();
  }

  connect(): Promise<SqlClient>;
  connect(cb: (err: Error | null, client?: SqlClient, release?: () => void) => void): void;
  connect(cb?: (err: Error | null, client?: SqlClient, release?: () => void) => void): Promise<SqlClient> | void {
    const acquired = this.acquire();
    if (!cb) return acquired;
    acquired.then(
      (c) => cb(null, c, () => c.release()),
      (err: Error) => cb(err),
    );
  }

  async query(sql: string, params?: unknown[]): Promise<SqlResult> {
    const client = await this.acquire();
    try {
      return await client.query(sql, params);
    } finally {
      client.release();
    }
  }

  end(cb?: Callback<void>): Promise<void> {
    this.ended = true;
    const done = Promise.resolve();
    if (cb) done.then(() => cb(null));
    return done;
  }

  private acquire(): Promise<SqlClient> {
    if (this.ended) return Promise.reject(new Error('PGlite pool has ended'));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => new PGliteClient(this.db, release));
  }
}

class PGliteClient extends EventEmitter implements SqlClient {
  private released = false;

  constructor(
    private readonly db: PGlite,
    private readonly onRelease: () => void,
  ) {
    super();
  }

  query(sql: string, params?: unknown[]): Promise<SqlResult>;
  query(sql: string, params: unknown[] | undefined, cb: Callback<SqlResult>): void;
  query(sql: string, cb: Callback<SqlResult>): void;
  query(sql: string, a?: unknown, b?: unknown): Promise<SqlResult> | void {
    const params = Array.isArray(a) ? a : undefined;
    const cb = (typeof a === 'function' ? a : b) as Callback<SqlResult> | undefined;
    const result = this.run(sql, params);
    if (!cb) return result;
    result.then(
      (r) => cb(null, r),
      (err: Error) => cb(err),
    );
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }

  private async run(sql: string, params?: unknown[]): Promise<SqlResult & { command: string }> {
    if (this.released) throw new Error('query on a released PGlite client');
    const command = sql.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
    if (params && params.length > 0) {
      const r = await this.db.query(sql, params);
      return { rows: r.rows as any[], rowCount: r.affectedRows ?? r.rows.length, command };
    }
    // exec accepts several statements (migrations send them); the last result is the answer.
    const results = await this.db.exec(sql);
    const last = results[results.length - 1];
    return { rows: (last?.rows ?? []) as any[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0, command };
  }
}
