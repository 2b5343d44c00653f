export * from './contracts/cloud-event';
export * from './contracts/data-reader';
export * from './contracts/subscription-events.v1';
export * from './contracts/to-integration-event';
export * from './contracts/schema-files';
export * from './kafka/ledger-producer';
export * from './kafka/message-chunks';
export * from './kafka/topics';
