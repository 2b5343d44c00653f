import { Pool } from 'pg';
import { describeWithService, provisionPostgresDatabase } from '@ledger/testing';
import { runEventStoreContract } from '../contract/event-store.contract';
import { runOutOfOrderCommit } from '../contract/out-of-order-commit.choreography';
import { PostgresEventStore } from './postgres-event-store';

/**
 * The test database is dropped WITH (FORCE) after the suite; an idle pooled connection that the
 * server terminates then must not surface as an unhandled 'error' event and fail the whole file.
 */
const testPool = (url: string): Pool => new Pool({ connectionString: url, max: 20 }).on('error', () => undefined);

describeWithService('PostgresEventStore on PostgreSQL', provisionPostgresDatabase, (getUrl) => {
  runEventStoreContract('PostgreSQL adapter on node-postgres', async () => {
    let pool = testPool(getUrl());
    await pool.query('DROP TABLE IF EXISTS es_events, es_streams, es_log, es_snapshots');
    let store = new PostgresEventStore(pool, { pollMs: 20 });
    await store.migrate();
    const shutDown = async (): Promise<void> => {
      await store.close();
      await pool.end();
    };
    return {
      store,
      restart: async () => {
        await shutDown();
        pool = testPool(getUrl());
        store = new PostgresEventStore(pool, { pollMs: 20 });
        return store;
      },
      cleanup: shutDown,
    };
  });

  describe('when a transaction that drew a lower position commits after a later one', () => {
    it('lets a subscriber pass over no event: it delivers both, in position order', async () => {
      const { a, b, c, bCommittedFirst, received } = await runOutOfOrderCommit(getUrl());
      // No lock shared between streams: B commits while A is still open.
      expect(bCommittedFirst).toBe(true);
      expect(a.position < b.position).toBe(true);
      expect(received.map((e) => e.id)).toEqual([a, b, c].map((e) => e.id));
      expect(received.every((e, i) => i === 0 || received[i - 1].position < e.position)).toBe(true);
    });

    it('makes a naive subscriber skip the late event when reads ignore running transactions (the hazard is real)', async () => {
      const { a, b, c, bCommittedFirst, received } = await runOutOfOrderCommit(getUrl(), { boundedReads: false });
      expect(bCommittedFirst).toBe(true);
      expect(a.position < b.position).toBe(true);
      expect(received.map((e) => e.id)).toEqual([b.id, c.id]);
    });
  });
});
