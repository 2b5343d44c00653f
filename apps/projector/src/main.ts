import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, plainLogsWhenPiped } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import { openLedgerStorage, startLedgerProjector, storageConfig } from '@ledger/read-models';

plainLogsWhenPiped();

/** The projector as its own process, for deployments that scale it apart from the API. */
const main = async (): Promise<void> => {
  const logger = new Logger('Projector');
  const config = loadConfig();
  const storage = await openLedgerStorage(storageConfig(config));
  const runner = await startLedgerProjector(storage, config.projectionBatchSize, {
    log: (m) => logger.log(m),
    error: (m) => logger.error(m),
  });
  const stop = async (): Promise<void> => {
    await runner.stop();
    await storage.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof DataDirectoryInUseError;
  new Logger('Projector').error(known ? err.message : (err as Error).stack);
  process.exit(known ? 2 : 1);
});
