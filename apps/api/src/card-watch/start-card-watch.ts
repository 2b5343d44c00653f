import { LedgerConfig } from '@ledger/config';
import { DEFAULT_RETRY, SqlCheckpointStore } from '@ledger/event-store';
import { LedgerStorage } from '@ledger/read-models';
import { CardWatch, CardWatchDeps } from './card-watch';

/** The card watch over the ledger's storage; its checkpoint sits beside the process manager's. */
export const startCardWatch = async (
  config: LedgerConfig,
  storage: LedgerStorage,
  checkpoints: SqlCheckpointStore,
  log: CardWatchDeps['log'],
  onReminder?: CardWatchDeps['onReminder'],
): Promise<CardWatch> => {
  await checkpoints.migrate();
  const watch = new CardWatch({
    store: storage.store,
    states: storage.states,
    dataSource: storage.dataSource,
    checkpoints,
    sweepMs: config.cardWatch.sweepMs,
    retry: { baseMs: DEFAULT_RETRY.baseMs, maxMs: Math.max(DEFAULT_RETRY.maxMs, 30_000) },
    log,
    onReminder,
  });
  await watch.start();
  return watch;
};
