export * from './ledger-config';
export * from './plain-logs';
