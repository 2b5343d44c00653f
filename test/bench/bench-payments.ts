import { loadConfig } from '@ledger/config';
import { DEFAULT_PROMOTIONS } from '@ledger/domain';
import { DEFAULT_RETRY, EventStore, StreamStates } from '@ledger/event-store';
import { CreatePaymentRequest, PaymentProcessRunner, PaymentProvider, ProcessExecutor, ProviderPayment, PspClient } from '@ledger/payments';
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
/**
 * Only to take the provider's HTTP round trip out of a measurement: answers every charge captured at
 * once, in memory. Never a stand-in for the sandbox in a test.
 */
class InstantProvider implements PaymentProvider {
  private n = 0;
  async createPayment(r: CreatePaymentRequest): Promise<ProviderPayment> {
    const now = new Date().toISOString();
    const base = {
      id: `pay_${++this.n}`,
      reference: r.reference,
      method: r.method,
      amount: r.amount,
      refundedMinor: 0,
      refunds: [],
      disputes: [],
    };
    return { ...base, status: 'captured', createdAt: now, capturedAt: now };
  }
  findPayment = async (): Promise<ProviderPayment | null> => null;
  capturePayment = async (): Promise<ProviderPayment> => Promise.reject(new Error('not in this benchmark'));
  cancelPayment = this.capturePayment;
  refundPayment = this.capturePayment;
}

export const benchRenewals = async (over: 'http' | 'memory' = 'http') => {
  const sandbox =
    over === 'http' ? await startPspSandbox({ port: 0, dataDir: null, apiKey: 'sk_bench', webhookSecret: 'whsec_bench' }) : null;
  const provider: PaymentProvider = sandbox
    ? new PspClient({ baseUrl: sandbox.url, apiKey: 'sk_bench', timeoutMs: 5000 })
    : new InstantProvider();
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
    close: async () => sandbox?.close(),
  };
};
