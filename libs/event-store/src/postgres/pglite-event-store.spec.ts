import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { openPGlite } from '@ledger/testing';
import { runEventStoreContract } from '../contract/event-store.contract';
import { anEvent, events, streamName } from '../contract/contract-fixtures';
import { PGlitePool } from './pglite-pool';
import { PostgresEventStore } from './postgres-event-store';

/** Starting PGlite takes a second or two, so the file shares one; each test gets fresh tables. */
let db: PGlite;

beforeAll(async () => {
  db = await openPGlite();
});

afterAll(async () => {
  await db?.close();
});

runEventStoreContract('PostgreSQL adapter on PGlite (in memory)', async () => {
  const pool = new PGlitePool(db);
  await pool.query('DROP TABLE IF EXISTS es_events, es_streams, es_log, es_snapshots');
  let store = new PostgresEventStore(pool, { pollMs: 20 });
  await store.migrate();
  return {
    store,
    restart: async () => {
      await store.close();
      // One pool per PGlite: the pool is what keeps two callers' statements out of each other's transactions.
      store = new PostgresEventStore(pool, { pollMs: 20 });
      return store;
    },
    cleanup: () => store.close(),
  };
});

describe('PostgreSQL adapter on PGlite with a data directory', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ledger-pglite-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps appended events across a close and reopen', async () => {
    const stream = streamName('durable');
    const written = [...events(2), anEvent('Renewed', { days: 30 })];

    const first = await openPGlite(dataDir);
    const before = new PostgresEventStore(new PGlitePool(first));
    await before.migrate();
    await before.appendToStream(stream, written, 'no_stream');
    const persisted = await before.readStream(stream);
    expect(persisted.map((e) => e.id)).toEqual(written.map((e) => e.id));
    await before.close();
    await first.close();

    const second = await openPGlite(dataDir);
    try {
      const after = new PostgresEventStore(new PGlitePool(second));
      await after.migrate();
      expect(await after.readStream(stream)).toEqual(persisted);
      await expect(after.appendToStream(stream, [anEvent()], 'no_stream')).rejects.toMatchObject({ actual: 2 });
      const next = await after.appendToStream(stream, [anEvent()], 2);
      expect(next.position > persisted[2].position).toBe(true);
      await after.close();
    } finally {
      await second.close();
    }
  });
});
