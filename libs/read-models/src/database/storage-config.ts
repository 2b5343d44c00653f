import { LedgerConfig } from '@ledger/config';
import { StorageConfig } from './ledger-storage';

export const storageConfig = (config: LedgerConfig): StorageConfig => {
  switch (config.eventStore.kind) {
    case 'embedded':
      return { kind: 'embedded', dataDir: config.dataDir };
    case 'postgres':
      return { kind: 'postgres', eventStoreUrl: config.eventStore.url, readModelUrl: config.databaseUrl ?? config.eventStore.url };
    case 'esdb':
      // loadConfig already refuses this; a hand-built config should fail with the same message.
      if (!config.databaseUrl) {
        throw new Error('DATABASE_URL: required with an EventStoreDB event store (the read models live in PostgreSQL)');
      }
      return { kind: 'esdb', eventStoreUrl: config.eventStore.url, readModelUrl: config.databaseUrl };
  }
};
