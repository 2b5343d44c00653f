import type { SqlPool } from '../postgres/sql-pool';

/** Where a checkpointed consumer keeps its position. */
export interface CheckpointStore {
  /** The position of the last event the consumer has finished with; 0 when it never ran. */
  load(name: string): Promise<bigint>;
  save(name: string, position: bigint): Promise<void>;
}

const TABLE = /^[a-z_]{1,40}$/;

/**
 * One row per consumer. A save never moves the position back, so a stale instance that still
 * finishes a batch after a newer one took over cannot rewind it; rewinding is what replay is for.
 * The publisher's rows live in `publisher_checkpoint` (its name from before other consumers).
 */
export class SqlCheckpointStore implements CheckpointStore {
  constructor(
    private readonly pool: Pick<SqlPool, 'query'>,
    private readonly table = 'publisher_checkpoint',
  ) {
    if (!TABLE.test(table)) throw new Error(`checkpoint table name ${table} is not a plain identifier`);
  }

  async migrate(): Promise<void> {
    await this.pool.query(`
CREATE TABLE IF NOT EXISTS ${this.table} (
  name       text        PRIMARY KEY,
  position   bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
)`);
  }

  async load(name: string): Promise<bigint> {
    const { rows } = await this.pool.query(`SELECT position FROM ${this.table} WHERE name = $1`, [name]);
    return rows.length ? BigInt(rows[0].position) : 0n;
  }

  async save(name: string, position: bigint): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (name, position) VALUES ($1, $2::bigint)
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
       WHERE ${this.table}.position < EXCLUDED.position`,
      [name, position.toString()],
    );
  }
}
