import { Pool } from 'pg';
import { ConfigError, LedgerConfig } from '@ledger/config';
import { EsdbEventStore, EventStore, PGlitePool, PostgresEventStore, SqlPool, openEmbeddedDatabase } from '@ledger/event-store';
import { LagProbe, PagedLagProbe, SqlLagProbe } from '../lag/store-lag';

export interface PublisherStorage {
  readonly store: EventStore;
  /** Where the checkpoint table lives: the event store's database, or DATABASE_URL beside EventStoreDB. */
  readonly pool: SqlPool;
  readonly lag: LagProbe;
  close(): Promise<void>;
}

/** An idle client that loses its server is dropped by the pool; the next query's failure is what the publisher retries on. */
const pgPool = (url: string, max: number): Pool => new Pool({ connectionString: url, max }).on('error', () => undefined);

/**
 * The same choice as the API: PostgreSQL or EventStoreDB when a URL is set, else the embedded
 * PGlite under LEDGER_DATA_DIR. PGlite is one process's database, so the embedded mode is for
 * when the API is not running (e.g. a replay), never next to it.
 */
export const openPublisherStorage = async (config: LedgerConfig): Promise<PublisherStorage> => {
  switch (config.eventStore.kind) {
    case 'postgres': {
      const pool = pgPool(config.eventStore.url, 4);
      const store = new PostgresEventStore(pool);
      await store.migrate();
      return { store, pool, lag: new SqlLagProbe(pool), close: async () => (await store.close(), await pool.end()) };
    }
    case 'embedded': {
      const embedded = await openEmbeddedDatabase(config.dataDir);
      const pool = new PGlitePool(embedded.db);
      const store = new PostgresEventStore(pool);
      await store.migrate();
      return { store, pool, lag: new SqlLagProbe(pool), close: async () => (await store.close(), await embedded.close()) };
    }
    case 'esdb': {
      if (!config.databaseUrl)
        throw new ConfigError('DATABASE_URL', 'required with an EventStoreDB event store (the checkpoint lives in PostgreSQL)');
      const store = EsdbEventStore.connect(config.eventStore.url);
      const pool = pgPool(config.databaseUrl, 2);
      return { store, pool, lag: new PagedLagProbe(store), close: async () => (await store.close(), await pool.end()) };
    }
  }
};
