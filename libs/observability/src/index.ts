// Metrics, traces, logs and health: what every ledger process exposes to its operators.
export * from './metrics';
export * from './tracing';
export * from './ops-server';
export * from './logging';
export * from './within';
