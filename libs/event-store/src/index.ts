export * from './port/event-store.port';
export * from './port/polling-subscription';
export * from './memory/memory-event-store';
export * from './postgres/postgres-event-store';
export * from './postgres/pglite-pool';
export * from './postgres/sql-pool';
export * from './command/deterministic-id';
export * from './command/handle-command';
