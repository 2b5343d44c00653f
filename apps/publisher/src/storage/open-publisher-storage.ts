import { LedgerConfig } from '@ledger/config';
import { EventStore, SqlPool } from '@ledger/event-store';
import { openLedgerStorage, storageConfig } from '@ledger/read-models';
import { LagProbe, PagedLagProbe, SqlLagProbe } from '@ledger/event-store';

export interface PublisherStorage {
  /** The store port (reads upcast to current shapes), as every other app reads it. */
  readonly store: EventStore;
  /** Where the checkpoint table lives: the event store's database, or DATABASE_URL beside EventStoreDB. */
  readonly pool: SqlPool;
  readonly lag: LagProbe;
  close(): Promise<void>;
}

/**
 * The ledger's one storage opener (openLedgerStorage), seen from the publisher: PostgreSQL or
 * EventStoreDB when a URL is set, else the embedded PGlite under LEDGER_DATA_DIR. PGlite is one
 * process's database, so the embedded mode is for when the API is not running (e.g. a replay).
 */
export const openPublisherStorage = async (config: LedgerConfig): Promise<PublisherStorage> => {
  const storage = await openLedgerStorage(storageConfig(config));
  const sql = storage.eventStorePool;
  const readModels: SqlPool = {
    query: async (text, params) => ({ rows: await storage.dataSource.query(text, params) }),
    connect: () => Promise.reject(new Error('the publisher checkpoint needs no transaction')),
    end: async () => undefined,
  };
  return {
    store: storage.store,
    pool: sql ?? readModels,
    lag: sql ? new SqlLagProbe(sql) : new PagedLagProbe(storage.store),
    close: () => storage.close(),
  };
};
