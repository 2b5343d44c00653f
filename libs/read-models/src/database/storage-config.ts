import { LedgerConfig } from '@ledger/config';
import { StorageConfig } from './ledger-storage';

export const storageConfig = (config: LedgerConfig): StorageConfig => {
  switch (config.eventStore.kind) {
    case 'embedded':
      return { kind: 'embedded', dataDir: config.dataDir };
    case 'postgres':
      return { kind: 'postgres', eventStoreUrl: config.eventStore.url, readModelUrl: config.databaseUrl ?? config.eventStore.url };
    case 'esdb':
      throw new Error('EVENT_STORE_URL: the EventStoreDB adapter is not available in this build yet');
  }
};
