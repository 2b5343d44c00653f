import { loadConfig } from '@ledger/config';
import { DEFAULT_PROMOTIONS } from '@ledger/domain';
import { DEFAULT_RETRY, EventStore, StreamStates } from '@ledger/event-store';
import { PaymentProcessRunner, ProcessExecutor, PspClient } from '@ledger/payments';
import { PersonalDataVault, testSecrets } from '@ledger/identity';
import { RenewSubscriptionHandler } from '../../apps/api/src/renewals/renew-subscription.handler';
import { RenewSubscriptionCommand } from '../../apps/api/src/renewals/renew-subscription.command';
import { unsealToken } from '../../apps/api/src/renewals/payment-token';
import { startPspSandbox } from '../../apps/psp-sandbox/src/psp-sandbox';

const vault = new PersonalDataVault(testSecrets().dataKey, testSecrets().fingerprintKey);

/**
 * Whole renewals for the benchmarks: the request handler starts the payment process, which pays
 * through the sandbox provider over HTTP (its own server in this process, journal in memory).
 */
export const benchRenewals = async () => {
  const sandbox = await startPspSandbox({ port: 0, dataDir: null, apiKey: 'sk_bench', webhookSecret: 'whsec_bench' });
  const provider = new PspClient({ baseUrl: sandbox.url, apiKey: 'sk_bench', timeoutMs: 5000 });
  const config = loadConfig({ RENEWAL_ANSWER_MS: '30000' });
  const runnerFor = (states: StreamStates, store: EventStore) =>
    new PaymentProcessRunner(
      store,
      states,
      new ProcessExecutor({ states, provider, rules: DEFAULT_PROMOTIONS, unsealToken: (s) => unsealToken(vault, s), retry: DEFAULT_RETRY }),
      { load: async () => 0n, save: async () => undefined },
      { lookup: { baseMs: 1000, maxMs: 10_000 }, retry: DEFAULT_RETRY },
    );
  return {
    renewer: (states: StreamStates, store: EventStore) =>
      new RenewSubscriptionHandler(states, runnerFor(states, store), DEFAULT_PROMOTIONS, { vault }, config),
    command: (card: string, key: string, planId: string, ctx: RenewSubscriptionCommand['ctx']) =>
      new RenewSubscriptionCommand(card, key, planId, 'card', 'tok_visa', undefined, ctx),
    close: () => sandbox.close(),
  };
};
