export * from './esdb-test-server';
export { EventLog, systemEvent } from './event-log';
export type { StoredEvent, ProposedEvent } from './event-log';
