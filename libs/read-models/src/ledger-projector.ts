import { CardBalanceProjection } from './card-balance/card-balance.projection';
import { RenewalProjection } from './renewal/renewal.projection';
import { ProjectionRunner, RunnerLogger } from './checkpoint/projection-runner';
import { LedgerStorage } from './database/ledger-storage';
import { Projection } from './projection';

export const ledgerProjections = (): Projection[] => [new CardBalanceProjection(), new RenewalProjection()];
export const LEDGER_PROJECTION_NAMES: readonly string[] = ledgerProjections().map((p) => p.name);

/** The balance/expiry and renewal-status read models, fed from the event store in checkpointed batches. */
export const startLedgerProjector = async (storage: LedgerStorage, batchSize: number, logger?: RunnerLogger): Promise<ProjectionRunner> => {
  const runner = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize, logger });
  await runner.start();
  logger?.log(`projecting from position ${runner.position()} in batches of up to ${batchSize}`);
  return runner;
};
