import { LedgerConfig } from '@ledger/config';
import { PromotionRules } from '@ledger/domain';
import { DEFAULT_RETRY, SqlCheckpointStore } from '@ledger/event-store';
import { PaymentProcessRunner, PaymentProvider, ProcessExecutor, PspClient, adoptStrandedRenewals } from '@ledger/payments';
import { LedgerStorage } from '@ledger/read-models';
import { Identity } from '@ledger/identity';
import { unsealToken } from './payment-token';

/** The provider the config names; without PSP_URL, the sandbox `npm start` runs on HOST:PSP_PORT. */
export const configuredProvider = (config: LedgerConfig): PaymentProvider => {
  const p = config.payments;
  const baseUrl = p.pspUrl ?? `http://${config.host}:${p.sandboxPort}`;
  return new PspClient({ baseUrl, apiKey: p.pspApiKey, timeoutMs: p.pspTimeoutMs });
};

/** The renewals' process manager over the ledger's storage; its checkpoint sits with the read models. */
export const paymentProcesses = (
  config: LedgerConfig,
  storage: LedgerStorage,
  provider: PaymentProvider,
  rules: PromotionRules,
  identity: Identity,
  log: { warn(message: string): void; error?(message: string): void },
): { runner: PaymentProcessRunner; checkpoints: SqlCheckpointStore } => {
  const checkpoints = new SqlCheckpointStore(
    { query: async (sql, params) => ({ rows: await storage.dataSource.query(sql, params) }) },
    'consumer_checkpoint',
  );
  const retry = { baseMs: DEFAULT_RETRY.baseMs, maxMs: Math.max(DEFAULT_RETRY.maxMs, 30_000) };
  const executor = new ProcessExecutor({
    states: storage.states,
    provider,
    rules,
    unsealToken: (sealed) => unsealToken(identity.vault, sealed),
    retry,
  });
  // Lookups past confirmBy: a tenth of the confirm time at first, then doubling, at most 5 minutes.
  const lookup = { baseMs: Math.max(100, Math.floor(config.payments.confirmAfterMs / 10)), maxMs: 300_000 };
  const runner = new PaymentProcessRunner(storage.store, storage.states, executor, checkpoints, { lookup, retry, log });
  return { runner, checkpoints };
};

/** The cards the read model shows reserved, handed to the process manager to adopt any without a process. */
export const adoptStranded = async (storage: LedgerStorage, runner: PaymentProcessRunner, config: LedgerConfig): Promise<number> => {
  const rows: { subscription_id: string; pending_renewal_id: string }[] = await storage.dataSource.query(
    'SELECT subscription_id, pending_renewal_id FROM card_balance WHERE pending_renewal_id IS NOT NULL',
  );
  return adoptStrandedRenewals(
    rows.map((r) => ({ subscriptionId: r.subscription_id, renewalId: r.pending_renewal_id })),
    { store: storage.store, states: storage.states, runner, abandonAfterMs: config.payments.abandonAfterMs, now: () => new Date() },
  );
};
