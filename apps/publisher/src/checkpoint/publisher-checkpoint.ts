import type { SqlPool } from '@ledger/event-store';

export interface CheckpointStore {
  /** The position of the last event the broker acknowledged; 0 when the publisher never ran. */
  load(name: string): Promise<bigint>;
  save(name: string, position: bigint): Promise<void>;
}

export const PUBLISHER_CHECKPOINT_SCHEMA = `
CREATE TABLE IF NOT EXISTS publisher_checkpoint (
  name       text        PRIMARY KEY,
  position   bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * One row per publisher. A save never moves the position back, so a stale instance that still
 * finishes a batch after a newer one took over cannot rewind it; rewinding is what replay is for.
 */
export class SqlCheckpointStore implements CheckpointStore {
  constructor(private readonly pool: SqlPool) {}

  async migrate(): Promise<void> {
    await this.pool.query(PUBLISHER_CHECKPOINT_SCHEMA);
  }

  async load(name: string): Promise<bigint> {
    const { rows } = await this.pool.query('SELECT position FROM publisher_checkpoint WHERE name = $1', [name]);
    return rows.length ? BigInt(rows[0].position) : 0n;
  }

  async save(name: string, position: bigint): Promise<void> {
    await this.pool.query(
      `INSERT INTO publisher_checkpoint (name, position) VALUES ($1, $2::bigint)
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
       WHERE publisher_checkpoint.position < EXCLUDED.position`,
      [name, position.toString()],
    );
  }
}
