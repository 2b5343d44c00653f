import { CardBalanceProjection } from './card-balance/card-balance.projection';
import { RenewalProjection } from './renewal/renewal.projection';
import { PaymentProjection } from './payment/payment.projection';
import { MoneyMovementProjection } from './money-movement/money-movement.projection';
import { AuditEventProjection } from './audit-event/audit-event.projection';
import { ProjectionRunner, RunnerLogger } from './checkpoint/projection-runner';
import { LedgerStorage } from './database/ledger-storage';
import { Projection } from './projection';

const CATALOGUE: Readonly<Record<string, (suffix: string) => Projection>> = {
  card_balance: (suffix) => new CardBalanceProjection(suffix),
  renewal: (suffix) => new RenewalProjection(suffix),
  payment: (suffix) => new PaymentProjection(suffix),
  money_movement: (suffix) => new MoneyMovementProjection(suffix),
  audit_event: (suffix) => new AuditEventProjection(suffix),
};

export const LEDGER_PROJECTION_NAMES: readonly string[] = Object.keys(CATALOGUE);

/** The ledger's projections; `suffix` names a rebuild's shadow copies (`__rebuild`). */
export const ledgerProjections = (suffix = ''): Projection[] => LEDGER_PROJECTION_NAMES.map((n) => CATALOGUE[n](suffix));

export const ledgerProjection = (name: string, suffix = ''): Projection => {
  const make = CATALOGUE[name];
  if (!make) throw new Error(`unknown projection "${name}"; known: ${LEDGER_PROJECTION_NAMES.join(', ')}`);
  return make(suffix);
};

/** The balance/expiry and renewal-status read models, fed from the event store in checkpointed batches. */
export const startLedgerProjector = async (
  storage: LedgerStorage,
  batchSize: number,
  logger?: RunnerLogger,
  onProjected?: (position: bigint) => void,
): Promise<ProjectionRunner> => {
  const runner = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize, logger, onProjected });
  await runner.start();
  logger?.log(`projecting from position ${runner.position()} in batches of up to ${batchSize}`);
  return runner;
};
