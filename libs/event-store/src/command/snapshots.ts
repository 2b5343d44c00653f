import { GENESIS_LINK } from '../audit/hash-chain';

/** What a command needs of a stream to decide and append: its folded state, head and last hash link. */
export interface Folded<S> {
  readonly state: S;
  /** The last revision folded in; -1 for a stream that has no events. */
  readonly revision: number;
  /** The last event's hash link, which the next append continues. */
  readonly link: string;
  /** The global position of the last event folded in (0 for none): what read-your-writes waits for. */
  readonly position: bigint;
}

export const emptyFolded = <S>(state: S): Folded<S> => ({ state, revision: -1, link: GENESIS_LINK, position: 0n });

/** A decider's promise about its state's JSON form; a new `version` makes older snapshots ignored. */
export interface SnapshotPolicy<S> {
  readonly version: string;
  readonly toJSON: (state: S) => unknown;
  readonly fromJSON: (json: unknown) => S;
}

export interface StoredSnapshot {
  readonly revision: number;
  readonly link: string;
  readonly position: bigint;
  readonly state: unknown;
}

/** Where snapshots live: next to the events on PostgreSQL/PGlite, in the read-model database for EventStoreDB. */
export interface SnapshotStore {
  load(streamId: string, version: string): Promise<StoredSnapshot | null>;
  save(streamId: string, version: string, snapshot: StoredSnapshot): Promise<void>;
}

type Query = (sql: string, params: unknown[]) => Promise<{ rows: any[] } | any[]>;

export const SNAPSHOT_TABLE = `
CREATE TABLE IF NOT EXISTS es_snapshots (
  stream_id  text        PRIMARY KEY,
  revision   integer     NOT NULL,
  version    text        NOT NULL,
  state      jsonb       NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);`;

/**
 * Snapshots in a SQL table (es_snapshots): one row per stream, replaced only by a later revision or
 * another version. A snapshot is a cache of a fold, never a source of truth: losing the table only
 * makes the next command of each card read its whole stream once.
 */
export class SqlSnapshotStore implements SnapshotStore {
  constructor(private readonly query: Query) {}

  async migrate(): Promise<void> {
    await this.query(SNAPSHOT_TABLE, []);
  }

  async load(streamId: string, version: string): Promise<StoredSnapshot | null> {
    const result = await this.query('SELECT revision, state FROM es_snapshots WHERE stream_id = $1 AND version = $2', [streamId, version]);
    const [row] = Array.isArray(result) ? result : result.rows;
    if (!row) return null;
    const { link, position, state } = row.state as { link: string; position: string; state: unknown };
    return { revision: Number(row.revision), link, position: BigInt(position), state };
  }

  async save(streamId: string, version: string, s: StoredSnapshot): Promise<void> {
    await this.query(
      `INSERT INTO es_snapshots (stream_id, revision, version, state) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision, version = EXCLUDED.version, state = EXCLUDED.state, written_at = now()
       WHERE es_snapshots.revision < EXCLUDED.revision OR es_snapshots.version <> EXCLUDED.version`,
      [streamId, s.revision, version, JSON.stringify({ link: s.link, position: s.position.toString(), state: s.state })],
    );
  }
}
