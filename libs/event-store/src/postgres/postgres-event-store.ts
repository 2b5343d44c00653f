import {
  AllSubscription,
  AppendResult,
  AppendedEvent,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadStreamOptions,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../port/event-store.port';
import { ConcurrencyError } from '../port/event-store.port';
import { checkExpected, idempotentReplay } from '../port/append-rules';
import { LocalWakeup, pollingSubscription } from '../port/polling-subscription';
import { EVENT_STORE_SCHEMA } from './event-store.schema';
import { SqlPool, SqlResult } from './sql-pool';

export interface PostgresEventStoreOptions {
  /**
   * Test seam: the append then runs in an explicit transaction, and this runs inside it after the
   * insert, before COMMIT (the out-of-order commit test holds one append open with it).
   */
  readonly beforeCommit?: (streamId: string) => Promise<void>;
  /**
   * Only the out-of-order test turns this off, to show what the visibility bound prevents: readers
   * then page the log by position alone.
   */
  readonly boundedReads?: boolean;
  readonly pollMs?: number;
}

const UNIQUE_VIOLATION = '23505';

const modeOf = (expected: ExpectedRevision): [string, number | null] =>
  typeof expected === 'number' ? (expected < 0 ? ['no_stream', null] : ['exact', expected]) : [expected, null];

/**
 * The event store on PostgreSQL (node-postgres) or PGlite (same SQL, via PGlitePool). An append is
 * one statement, `es_append` (event-store.schema.ts), with no lock shared between streams; the
 * global log is read below the oldest running transaction, so it is gap-free in commit order.
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
    if (events.length === 0) return this.checkOnly(streamId, expected);
    const [mode, revision] = modeOf(expected);
    const payload = JSON.stringify(events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })));
    const params = [streamId, mode, revision, payload];
    const sql = 'SELECT * FROM es_append($1, $2, $3, $4::jsonb)';
    let result: SqlResult;
    try {
      result = await this.run(sql, params, streamId);
    } catch (err) {
      // Two appends of the same new ids raced: the loser sees them once the winner committed.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      result = await this.run(sql, params, streamId);
    }
    const rows = result.rows.map((r) => ({
      outcome: r.o_outcome as string,
      id: r.o_event_id as string,
      streamId: r.o_stream_id as string,
      revision: Number(r.o_revision),
      position: r.o_position === null ? 0n : BigInt(r.o_position),
    }));
    const outcome = rows[0]?.outcome;
    if (outcome === 'conflict') {
      const actual = rows[0].revision;
      throw new ConcurrencyError(streamId, expected, actual >= 0 ? actual : 'no_stream');
    }
    if (outcome === 'exists') {
      const inStream = rows.filter((r) => r.streamId === streamId).sort((a, b) => a.revision - b.revision);
      const consecutive = inStream.every((r, i) => i === 0 || r.revision === inStream[i - 1].revision + 1);
      const replay = idempotentReplay(consecutive ? inStream : [], events, (id) => rows.some((r) => r.id === id));
      // idempotentReplay throws for every id found that is not this very append.
      if (!replay) throw new Error('es_append reported existing ids that idempotentReplay did not find');
      return replay;
    }
    this.wakeup.notify();
    const written: AppendedEvent[] = rows
      .map(({ id, revision, position }) => ({ id, revision, position }))
      .sort((a, b) => a.revision - b.revision);
    const last = written[written.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position, events: written };
  }

  private async run(sql: string, params: unknown[], streamId: string): Promise<SqlResult> {
    const hold = this.options.beforeCommit;
    if (!hold) return this.pool.query(sql, params);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await client.query(sql, params);
      await hold(streamId);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** An append of nothing still checks the expectation, without a write. */
  private async checkOnly(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const { rows } = await this.pool.query(
      `SELECT s.revision, (SELECT max(position) FROM es_events WHERE stream_id = $1) AS position FROM es_streams s WHERE s.stream_id = $1`,
      [streamId],
    );
    const last = rows.length ? Number(rows[0].revision) : -1;
    checkExpected(streamId, expected, last);
    return { nextExpectedRevision: last, position: rows.length && rows[0].position !== null ? BigInt(rows[0].position) : 0n, events: [] };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query(`${SELECT} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision`, [
      streamId,
      options.fromRevision ?? 0,
    ]);
    return rows.map(toRecorded);
  }

  async readAll({ fromPosition, filter, limit, unsettled }: ReadAllOptions): Promise<RecordedEvent[]> {
    const params: unknown[] = [String(fromPosition ?? 0n), limit];
    const where = ['position > $1::bigint'];
    if (this.options.boundedReads !== false && !unsettled) where.push('position < es_visible_below()');
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
