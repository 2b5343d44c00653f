import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import {
  CheckedEventStore,
  EsdbEventStore,
  EventStore,
  PGlitePool,
  PostgresEventStore,
  RecordedEvent,
  SqlPool,
  SqlSnapshotStore,
  StreamStates,
  StreamStatesOptions,
  openEmbeddedDatabase,
} from '@ledger/event-store';
import { StoredEventCheck } from '@ledger/messaging';
import { upcastSubscriptionEvent } from '@ledger/domain';
import { createReadModelDataSource } from './data-source';

export type StorageConfig =
  | { readonly kind: 'embedded'; readonly dataDir: string | null }
  | { readonly kind: 'postgres'; readonly eventStoreUrl: string; readonly readModelUrl: string }
  | { readonly kind: 'esdb'; readonly eventStoreUrl: string; readonly readModelUrl: string }
  | { readonly kind: 'external'; readonly store: EventStore; readonly readModelUrl: string };

export interface LedgerStorage {
  /** The port: appends checked, reads upcast to current shapes. What every app reads and writes through. */
  readonly store: EventStore;
  /** The events exactly as stored (no upcasting): what the hash chain covers, for verification. */
  readonly stored: EventStore;
  /** The SQL database holding the events (PostgreSQL, PGlite); null when EventStoreDB holds them. */
  readonly eventStorePool: SqlPool | null;
  /** What commands decide on: folded stream states kept in memory and snapshotted (stream-states.ts). */
  readonly states: StreamStates;
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/** EventStoreDB keeps the events, PostgreSQL the read models; or a store the caller opened. */
const remoteStore = (config: Extract<StorageConfig, { kind: 'esdb' | 'external' }>): EventStore =>
  config.kind === 'esdb' ? EsdbEventStore.connect(config.eventStoreUrl) : config.store;

/** Old stored shapes of card events become current ones on read; the same object when already current. */
const SUBSCRIPTION_STREAM_PREFIX = 'subscription-';

const upcastOnRead = (e: RecordedEvent): RecordedEvent => {
  if (!e.streamId.startsWith(SUBSCRIPTION_STREAM_PREFIX)) return e;
  try {
    const current = upcastSubscriptionEvent(e);
    return current === (e as unknown) ? e : { ...e, type: current.type, data: current.data };
  } catch {
    // An old shape that cannot be brought forward (its plan left the catalogue) must not stop the
    // whole log: it goes on as stored, and the consumer that cannot read it deals with that one
    // event (the projector sets its card aside, the publisher dead-letters it).
    return e;
  }
};

/** Every writer's appends are schema-checked and every reader sees current shapes, whichever adapter is underneath. */
const checked = (store: EventStore): CheckedEventStore => {
  const check = new StoredEventCheck();
  return new CheckedEventStore(store, (streamId, type, data) => check.errors(streamId, type, data), upcastOnRead);
};

/** Opens the event store and the read-model database, migrated; `dataDir: null` is in-memory PGlite. */
export const openLedgerStorage = async (
  config: StorageConfig,
  stateOptions: Omit<StreamStatesOptions, 'snapshots'> = {},
): Promise<LedgerStorage> => {
  if (config.kind === 'embedded') {
    const embedded = await openEmbeddedDatabase(config.dataDir);
    const pool = new PGlitePool(embedded.db);
    const store = new PostgresEventStore(pool);
    await store.migrate();
    const dataSource = await createReadModelDataSource({ kind: 'shared-pool', pool }).initialize();
    const writer = checked(store);
    const states = new StreamStates(writer, { ...stateOptions, snapshots: new SqlSnapshotStore((sql, p) => pool.query(sql, p)) });
    return {
      store: writer,
      stored: store,
      eventStorePool: pool,
      states,
      dataSource,
      close: async () => {
        await states.flush();
        await store.close();
        await dataSource.destroy();
        await embedded.close();
      },
    };
  }
  const owned = config.kind === 'postgres' ? new Pool({ connectionString: config.eventStoreUrl, max: 10 }) : null;
  // An idle connection dropped by the server (restart, failover) is replaced on next use; without a
  // listener node-postgres would raise it as an unhandled 'error' event and end the process.
  owned?.on('error', (err) => process.emitWarning(`event-store pool: idle connection lost: ${err.message}`));
  const store = config.kind === 'postgres' ? new PostgresEventStore(owned!) : remoteStore(config);
  if (store instanceof PostgresEventStore) await store.migrate();
  const dataSource = await createReadModelDataSource({ kind: 'postgres', url: config.readModelUrl }).initialize();
  // Snapshots sit next to the events on PostgreSQL; EventStoreDB's go to the read-model database.
  const snapshots =
    store instanceof PostgresEventStore && owned
      ? new SqlSnapshotStore((sql, p) => owned.query(sql, p))
      : new SqlSnapshotStore((sql, p) => dataSource.query(sql, p));
  if (!(store instanceof PostgresEventStore)) await snapshots.migrate();
  const writer = checked(store);
  const states = new StreamStates(writer, { ...stateOptions, snapshots });
  return {
    store: writer,
    stored: store,
    eventStorePool: store instanceof PostgresEventStore ? owned : null,
    states,
    dataSource,
    close: async () => {
      await states.flush();
      await store.close();
      await dataSource.destroy();
      await owned?.end();
    },
  };
};
