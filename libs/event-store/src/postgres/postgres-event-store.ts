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
  StreamWrite,
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
const DEADLOCK = '40P01';

const payload = (events: readonly EventToAppend[]): string =>
  JSON.stringify(events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })));

/** What `es_append` answered for one write: the appended places, a replay, or the error to raise. */
const interpret = ({ streamId, events, expected }: StreamWrite, raw: any[]): AppendResult | Error => {
  const rows = raw.map((r) => ({
    outcome: r.o_outcome as string,
    id: r.o_event_id as string,
    streamId: r.o_stream_id as string,
    revision: Number(r.o_revision),
    position: r.o_position === null ? 0n : BigInt(r.o_position),
  }));
  const outcome = rows[0]?.outcome;
  if (outcome === 'conflict') {
    const actual = rows[0].revision;
    return new ConcurrencyError(streamId, expected, actual >= 0 ? actual : 'no_stream');
  }
  if (outcome === 'exists') {
    const inStream = rows.filter((r) => r.streamId === streamId).sort((a, b) => a.revision - b.revision);
    const consecutive = inStream.every((r, i) => i === 0 || r.revision === inStream[i - 1].revision + 1);
    try {
      const replay = idempotentReplay(consecutive ? inStream : [], events, (id) => rows.some((r) => r.id === id));
      // idempotentReplay throws for every id found that is not this very append.
      return replay ?? new Error('es_append reported existing ids that idempotentReplay did not find');
    } catch (err) {
      return err as Error;
    }
  }
  const written: AppendedEvent[] = rows
    .map(({ id, revision, position }) => ({ id, revision, position }))
    .sort((a, b) => a.revision - b.revision);
  if (written.length !== events.length) return new Error(`es_append wrote ${written.length} of ${events.length} events to ${streamId}`);
  const last = written[written.length - 1];
  return { nextExpectedRevision: last.revision, position: last.position, events: written };
};

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
    const params = [streamId, mode, revision, payload(events)];
    const sql = 'SELECT * FROM es_append($1, $2, $3, $4::jsonb)';
    let result: SqlResult;
    try {
      result = await this.run(sql, params, streamId);
    } catch (err) {
      // Two appends of the same new ids raced: the loser sees them once the winner committed.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      result = await this.run(sql, params, streamId);
    }
    const answer = interpret({ streamId, events, expected }, result.rows);
    if (answer instanceof Error) throw answer;
    this.wakeup.notify();
    return answer;
  }

  /**
   * Several streams in one statement and one transaction (`es_append_many`), each with its own
   * expectation: a conflict or a clash refuses only its own write. Writes go in stream order so two
   * batches over the same cards lock them in the same order. If the statement itself fails (two
   * batches raced on the same new ids, a deadlock), each write is tried on its own.
   */
  async appendToStreams(writes: readonly StreamWrite[]): Promise<(AppendResult | Error)[]> {
    const order = writes
      .map((_, i) => i)
      .sort((a, b) => (writes[a].streamId < writes[b].streamId ? -1 : writes[a].streamId > writes[b].streamId ? 1 : a - b));
    const sent = order.filter((i) => writes[i].events.length > 0);
    const answers: (AppendResult | Error)[] = new Array(writes.length);
    const single = (i: number) =>
      this.appendToStream(writes[i].streamId, writes[i].events, writes[i].expected).then(
        (r) => (answers[i] = r),
        (err: Error) => (answers[i] = err),
      );
    await Promise.all(order.filter((i) => writes[i].events.length === 0).map(single));
    if (sent.length === 0) return answers;
    const body = `[${sent
      .map((i) => {
        const [mode, revision] = modeOf(writes[i].expected);
        return `{"stream":${JSON.stringify(writes[i].streamId)},"mode":"${mode}","expected":${revision ?? 'null'},"events":${payload(writes[i].events)}}`;
      })
      .join(',')}]`;
    let rows: any[];
    try {
      rows = (await this.pool.query('SELECT * FROM es_append_many($1::jsonb)', [body])).rows;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== UNIQUE_VIOLATION && code !== DEADLOCK) throw err;
      await Promise.all(sent.map(single));
      return answers;
    }
    const byWrite = new Map<number, any[]>();
    for (const r of rows) byWrite.set(Number(r.o_write), [...(byWrite.get(Number(r.o_write)) ?? []), r]);
    sent.forEach((i, k) => (answers[i] = interpret(writes[i], byWrite.get(k) ?? [])));
    this.wakeup.notify();
    return answers;
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

  async readEvents(ids: readonly string[]): Promise<RecordedEvent[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query(`${SELECT} WHERE event_id = ANY($1::uuid[]) ORDER BY position`, [ids]);
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
