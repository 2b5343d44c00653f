export * from './given-when-then';
export * from './services';
export * from './esdb-test-server';
