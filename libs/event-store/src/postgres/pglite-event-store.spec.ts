import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { openPGlite } from '@ledger/testing';
import { runEventStoreContract } from '../contract/event-store.contract';
import { anEvent, events, streamName } from '../contract/contract-fixtures';
import { PGlitePool } from './pglite-pool';
import { PostgresEventStore } from './postgres-event-store';
import { SqlSnapshotStore } from '../command/snapshots';

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

describe('PostgreSQL adapter on PGlite: schema upgrade and snapshots', () => {
  it('opens a log written before es_append (bigserial positions) and appends above it, in order', async () => {
    const pool = new PGlitePool(db);
    await pool.query('DROP TABLE IF EXISTS es_events, es_streams, es_log, es_snapshots');
    // The schema as the previous release created it.
    await pool.query(`
      CREATE TABLE es_events (position bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL,
        revision integer NOT NULL, type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, revision));
      CREATE TABLE es_streams (stream_id text PRIMARY KEY, revision integer NOT NULL);`);
    const old = events(3);
    for (const [i, e] of old.entries()) {
      await pool.query('INSERT INTO es_events (event_id, stream_id, revision, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6)', [
        e.id,
        'old-1',
        i,
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
      ]);
    }
    await pool.query("INSERT INTO es_streams VALUES ('old-1', 2)");
    const store = new PostgresEventStore(pool);
    await store.migrate();
    const next = await store.appendToStream('old-1', [anEvent()], 2);
    expect(next.nextExpectedRevision).toBe(3);
    const log = await store.readAll({ limit: 10 });
    expect(log.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
    expect(log.every((e, i) => i === 0 || log[i - 1].position < e.position)).toBe(true);
  });

  it('keeps one snapshot per stream: a later revision replaces it, an older one does not, another version is not read', async () => {
    const pool = new PGlitePool(db);
    await pool.query('DROP TABLE IF EXISTS es_events, es_streams, es_log, es_snapshots');
    await new PostgresEventStore(pool).migrate();
    const snapshots = new SqlSnapshotStore((sql, params) => pool.query(sql, params));
    const at = (revision: number) => ({ revision, link: `link-${revision}`, position: BigInt(1000 + revision), state: { n: revision } });
    await snapshots.save('s', 'v1', at(31));
    await snapshots.save('s', 'v1', at(63));
    await snapshots.save('s', 'v1', at(31));
    expect(await snapshots.load('s', 'v1')).toEqual(at(63));
    expect(await snapshots.load('s', 'v2')).toBeNull();
    expect(await snapshots.load('other', 'v1')).toBeNull();
  });
});
