import {
  AllSubscription,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  RecordedEvent,
  SubscribeOptions,
} from '../port/event-store.port';
import { checkExpected, idempotentReplay } from '../port/append-rules';
import { LocalWakeup, pollingSubscription } from '../port/polling-subscription';
import { EVENT_STORE_SCHEMA } from './event-store.schema';
import { SqlClient, SqlPool } from './sql-pool';

export interface PostgresEventStoreOptions {
  /** Test seam: runs inside the append transaction after the insert, before COMMIT. */
  readonly beforeCommit?: (streamId: string) => Promise<void>;
  /** Only the out-of-order test turns this off, to show what the lock prevents. */
  readonly serializeAppends?: boolean;
  readonly pollMs?: number;
}

/** Any constant works; it only has to be the same for every writer of this database. */
const APPEND_LOCK_KEY = 0x1ed6e5;

/**
 * The event store on PostgreSQL (node-postgres) or PGlite (same SQL, via PGlitePool).
 *
 * Ordering: a bigserial is taken at insert but transactions commit in any order, so a reader
 * paging by "position > last seen" could pass over an event that commits late. Every append takes
 * one transaction-level advisory lock before it draws positions, so positions become visible in
 * order. It caps appends at one transaction at a time; bench:commands measures what that costs.
 */
export class PostgresEventStore implements EventStore {
  private readonly wakeup = new LocalWakeup();

  constructor(
    private readonly pool: SqlPool,
    private readonly options: PostgresEventStoreOptions = {},
  ) {}

  async migrate(): Promise<void> {
    await this.pool.query(EVENT_STORE_SCHEMA);
  }

  async appendToStream(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await this.appendInTransaction(client, streamId, events, expected);
      await client.query('COMMIT');
      this.wakeup.notify();
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async appendInTransaction(
    client: SqlClient,
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (this.options.serializeAppends !== false) {
      await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK_KEY]);
    }
    const ids = events.map((e) => e.id);
    const existing = ids.length
      ? (
          await client.query(
            'SELECT event_id, stream_id, revision, position FROM es_events WHERE event_id = ANY($1::uuid[]) ORDER BY position',
            [ids],
          )
        ).rows
      : [];
    const inStream = existing
      .filter((r) => r.stream_id === streamId)
      .map((r) => ({ id: r.event_id as string, revision: Number(r.revision), position: BigInt(r.position) }));
    const consecutive = inStream.every((r, i) => i === 0 || r.revision === inStream[i - 1].revision + 1);
    const replay = idempotentReplay(consecutive ? inStream : [], events, (id) => existing.some((r) => r.event_id === id));
    if (replay) return replay;

    const head = await client.query('SELECT revision FROM es_streams WHERE stream_id = $1', [streamId]);
    const last = head.rows.length ? Number(head.rows[0].revision) : -1;
    checkExpected(streamId, expected, last);
    if (events.length === 0) return { nextExpectedRevision: last, position: 0n };

    const params: unknown[] = [];
    const values = events.map((e, i) => {
      params.push(e.id, streamId, last + 1 + i, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
      const p = params.length - 5;
      return `($${p}, $${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::jsonb, $${p + 5}::jsonb)`;
    });
    const inserted = await client.query(
      `INSERT INTO es_events (event_id, stream_id, revision, type, data, metadata) VALUES ${values.join(', ')} RETURNING position`,
      params,
    );
    const next = last + events.length;
    await client.query(
      'INSERT INTO es_streams (stream_id, revision) VALUES ($1, $2) ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision',
      [streamId, next],
    );
    await this.options.beforeCommit?.(streamId);
    const positions = inserted.rows.map((r) => BigInt(r.position));
    return { nextExpectedRevision: next, position: positions.reduce((a, b) => (b > a ? b : a)) };
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query(`${SELECT} WHERE stream_id = $1 ORDER BY revision`, [streamId]);
    return rows.map(toRecorded);
  }

  async readAll({ fromPosition, filter, limit }: SubscribeOptions & { limit: number }): Promise<RecordedEvent[]> {
    const params: unknown[] = [String(fromPosition ?? 0n), limit];
    const where = ['position > $1::bigint'];
    if (filter?.streamPrefixes) {
      params.push(filter.streamPrefixes.map((p) => `${p.replace(/[\\%_]/g, '\\$&')}%`));
      where.push(`stream_id LIKE ANY($${params.length}::text[])`);
    }
    if (filter?.eventTypes) {
      params.push(filter.eventTypes);
      where.push(`type = ANY($${params.length}::text[])`);
    }
    const { rows } = await this.pool.query(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY position LIMIT $2`, params);
    return rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions = {}): AllSubscription {
    return pollingSubscription((o) => this.readAll(o), options, this.wakeup, this.options.pollMs ?? 100);
  }

  async close(): Promise<void> {
    this.wakeup.notify();
  }
}

const SELECT = 'SELECT position, event_id, stream_id, revision, type, data, metadata, recorded_at FROM es_events';

const toRecorded = (r: any): RecordedEvent => ({
  id: r.event_id,
  streamId: r.stream_id,
  revision: Number(r.revision),
  position: BigInt(r.position),
  type: r.type,
  data: r.data,
  metadata: r.metadata,
  recordedAt: new Date(r.recorded_at).toISOString(),
});
