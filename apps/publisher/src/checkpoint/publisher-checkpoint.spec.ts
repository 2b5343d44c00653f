import type { PGlite } from '@electric-sql/pglite';
import { PGlitePool, PostgresEventStore } from '@ledger/event-store';
import { openPGlite } from '@ledger/testing';
import { cardHistory } from '../../../../libs/messaging/src/testing/card-history';
import { SqlLagProbe } from '@ledger/event-store';
import { SqlCheckpointStore } from './publisher-checkpoint';

let db: PGlite;
let pool: PGlitePool;

beforeAll(async () => {
  db = await openPGlite();
  pool = new PGlitePool(db);
});

afterAll(async () => {
  await db?.close();
});

describe('publisher checkpoint in SQL', () => {
  let checkpoints: SqlCheckpointStore;

  beforeEach(async () => {
    await pool.query('DROP TABLE IF EXISTS publisher_checkpoint');
    checkpoints = new SqlCheckpointStore(pool);
    await checkpoints.migrate();
  });

  it('starts at position 0 for a publisher that never ran', async () => {
    expect(await checkpoints.load('fresh')).toBe(0n);
  });

  it('keeps the saved position per publisher name', async () => {
    await checkpoints.save('a', 42n);
    await checkpoints.save('b', 7n);
    expect([await checkpoints.load('a'), await checkpoints.load('b')]).toEqual([42n, 7n]);
  });

  it('never moves a checkpoint back', async () => {
    await checkpoints.save('a', 42n);
    await checkpoints.save('a', 40n);
    expect(await checkpoints.load('a')).toBe(42n);
  });

  it('holds positions beyond 2^53', async () => {
    await checkpoints.save('a', 2n ** 60n + 1n);
    expect(await checkpoints.load('a')).toBe(2n ** 60n + 1n);
  });
});

describe('lag measured in SQL', () => {
  it('counts the events after a position and dates the oldest of them', async () => {
    await pool.query('DROP TABLE IF EXISTS es_events, es_streams');
    const store = new PostgresEventStore(pool);
    await store.migrate();
    const events = cardHistory('lag', { renewals: 1 });
    await store.appendToStream('subscription-lag', events, 'no_stream');
    const all = await store.readAll({ limit: 100 });
    const probe = new SqlLagProbe(pool);
    const behind = await probe.behind(all[1].position);
    expect(behind).toEqual({ events: events.length - 2, oldestRecordedAt: all[2].recordedAt });
    expect(await probe.behind(all[all.length - 1].position)).toEqual({ events: 0, oldestRecordedAt: null });
  });
});
