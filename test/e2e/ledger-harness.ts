import { LedgerConfig, loadConfig } from '@ledger/config';
import { PaymentGateway } from '@ledger/payments';
import { LedgerStorage, openLedgerStorage } from '@ledger/read-models';
import { LedgerApp, createLedgerApp } from '../../apps/api/src/bootstrap';

export interface Reply<T = any> {
  status: number;
  contentType: string;
  body: T;
}

export interface Harness {
  readonly ledger: LedgerApp;
  request<T = any>(method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  close(): Promise<void>;
}

export type StorageFactory = () => Promise<LedgerStorage>;

export const embeddedInMemory: StorageFactory = () => openLedgerStorage({ kind: 'embedded', dataDir: null });

/** The whole app (API + projector) through Fastify's injector: every layer runs, no socket needed. */
export const startHarness = async (
  options: { storage?: LedgerStorage; env?: Record<string, string>; paymentGateway?: PaymentGateway } = {},
): Promise<Harness> => {
  const config: LedgerConfig = loadConfig({ PROJECTION_BATCH_SIZE: '200', QUERY_WAIT_MS: '20000', ...options.env });
  const ledger = await createLedgerApp(config, {
    storage: options.storage ?? (await embeddedInMemory()),
    paymentGateway: options.paymentGateway,
    logger: false,
  });
  const fastify = ledger.app.getHttpAdapter().getInstance();
  return {
    ledger,
    request: async (method, url, body, headers = {}) => {
      const res = await fastify.inject({
        method,
        url,
        payload: body as any,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      });
      const contentType = String(res.headers['content-type'] ?? '');
      return { status: res.statusCode, contentType, body: (contentType.includes('json') ? res.json() : res.body) as any };
    },
    close: async () => {
      await ledger.close();
      await ledger.storage.close();
    },
  };
};

/** A customer with one card in `region`, ready to renew. */
export const newCard = async (h: Harness, region = 'EU'): Promise<{ accountId: string; subscriptionId: string; position: string }> => {
  const account = await h.request('POST', '/v1/accounts', { phoneNumber: '+491701234567' });
  expect(account.status).toBe(201);
  const card = await h.request('POST', '/v1/subscriptions', { accountId: account.body.accountId, iccid: '8949020000012345678', region });
  expect(card.status).toBe(201);
  return { accountId: account.body.accountId, subscriptionId: card.body.subscriptionId, position: card.body.position };
};

export const renewalBody = (planId = 'eu-monthly-10gb', token = 'tok_visa', extra: Record<string, unknown> = {}) => ({
  planId,
  paymentMethod: { type: 'card', token },
  ...extra,
});

export const eventTypes = async (h: Harness, subscriptionId: string): Promise<string[]> =>
  (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events.map((e: { type: string }) => e.type);
