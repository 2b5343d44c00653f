import { LedgerConfig, loadConfig } from '@ledger/config';
import { PaymentProvider, PspClient } from '@ledger/payments';
import { freePort } from './built-api';
import { PspSandbox, startPspSandbox } from '../../apps/psp-sandbox/src/psp-sandbox';
import { LedgerStorage, openLedgerStorage } from '@ledger/read-models';
import { randomUUID } from 'node:crypto';
import { Identity, StaffRole, testSecrets } from '@ledger/identity';
import { LedgerApp, createLedgerApp } from '../../apps/api/src/bootstrap';
import { IDENTITY } from '../../apps/api/src/infrastructure/tokens';
import { Owner, freshIccid, signUp } from './sign-up';

export interface Reply<T = any> {
  status: number;
  contentType: string;
  body: T;
}

export interface Harness {
  readonly ledger: LedgerApp;
  /** The sandbox provider the ledger pays through (a real HTTP service), and a client of it. */
  readonly psp: { readonly sandbox: PspSandbox; readonly client: PspClient; readonly apiKey: string };
  /** The API's own address: the provider's webhooks arrive there. */
  readonly url: string;
  /**
   * Authenticated as whoever may make the call: a card's owner on its routes (by the card id in the
   * URL), the owner named by `accountId` (else the newest owner) when opening a card, the usage
   * feed's client on usage. An explicit `authorization` header wins; `authorization: ''` calls anonymously.
   */
  request<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply<T>>;
  /** The same, with no token picked for you. */
  raw<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  signUp(): Promise<Owner>;
  /** A token for a staff member with `role`, created the way `npm run staff` does. */
  staffToken(role: StaffRole): Promise<string>;
  readonly usageToken: () => Promise<string>;
  close(): Promise<void>;
}

export type StorageFactory = () => Promise<LedgerStorage>;

export const embeddedInMemory: StorageFactory = () => openLedgerStorage({ kind: 'embedded', dataDir: null });

export const PSP_TEST_KEYS = { apiKey: 'sk_sandbox_test', webhookSecret: 'whsec_sandbox_test' };

/**
 * The whole app (API + projector + payment processes) with the sandbox provider as its own HTTP
 * service. Calls go through Fastify's injector; the API also listens, for the provider's webhooks.
 */
export const startHarness = async (
  options: {
    storage?: LedgerStorage;
    env?: Record<string, string>;
    /** A provider in front of the sandbox (to hold or slow its answers); the sandbox stays the one that pays. */
    wrapProvider?: (sandbox: PaymentProvider) => PaymentProvider;
    psp?: { dataDir?: string | null; webhookDuplicateRate?: number; webhookReorderMs?: number };
  } = {},
): Promise<Harness> => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sandbox = await startPspSandbox({
    port: 0,
    dataDir: options.psp?.dataDir ?? null,
    apiKey: PSP_TEST_KEYS.apiKey,
    webhookSecret: PSP_TEST_KEYS.webhookSecret,
    webhookUrl: `${url}/v1/webhooks/psp`,
    webhookDuplicateRate: options.psp?.webhookDuplicateRate ?? 0.2,
    webhookReorderMs: options.psp?.webhookReorderMs ?? 50,
    seed: 7,
  });
  const client = new PspClient({
    baseUrl: sandbox.url,
    apiKey: PSP_TEST_KEYS.apiKey,
    timeoutMs: Number(options.env?.PSP_TIMEOUT_MS ?? 5000),
  });
  // Suites sign many owners up from one address: the credential routes' per-address limit is lifted here.
  const config: LedgerConfig = loadConfig({
    PROJECTION_BATCH_SIZE: '200',
    QUERY_WAIT_MS: '20000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    PSP_WEBHOOK_SECRET: PSP_TEST_KEYS.webhookSecret,
    RENEWAL_ANSWER_MS: '10000',
    ...options.env,
  });
  const ledger = await createLedgerApp(config, {
    storage: options.storage ?? (await embeddedInMemory()),
    paymentProvider: options.wrapProvider ? options.wrapProvider(client) : client,
    logger: false,
    secrets: testSecrets(),
  });
  await ledger.app.listen(port, '127.0.0.1');
  const fastify = ledger.app.getHttpAdapter().getInstance();
  const identity = ledger.app.get<Identity>(IDENTITY);
  const raw: Harness['raw'] = async (method, url, body, headers = {}) => {
    const res = await fastify.inject({
      method,
      url,
      payload: body as any,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    });
    const contentType = String(res.headers['content-type'] ?? '');
    return { status: res.statusCode, contentType, body: (contentType.includes('json') ? res.json() : res.body) as any };
  };
  const owners = new Map<string, Owner>();
  const cardOwners = new Map<string, Owner>();
  let newest: Owner | null = null;
  let usage: Promise<string> | null = null;
  const usageToken = (): Promise<string> =>
    (usage ??= (async () => {
      const client = await identity.staff.createClient(`usage-feed-${randomUUID()}`, ['usage:record'], new Date());
      const token = await raw('POST', '/v1/auth/token', {
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      });
      return token.body.accessToken as string;
    })());
  const tokenFor = async (method: string, url: string, body: unknown): Promise<string | null> => {
    const card = /^\/v1\/subscriptions\/([^/?]+)/.exec(url)?.[1];
    if (card && /\/usage$/.test(url.split('?')[0])) return usageToken();
    if (card) return (cardOwners.get(card.toLowerCase()) ?? newest)?.accessToken ?? null;
    if (method === 'POST' && url === '/v1/subscriptions') {
      const named = owners.get(String((body as { accountId?: string })?.accountId ?? ''));
      return (named ?? newest)?.accessToken ?? null;
    }
    if (url.startsWith('/v1/accounts')) return newest?.accessToken ?? null;
    return null;
  };
  const harness: Harness = {
    ledger,
    psp: { sandbox, client, apiKey: PSP_TEST_KEYS.apiKey },
    url,
    raw,
    request: async (method, url, body, headers = {}) => {
      const explicit = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
      const token = explicit ? null : await tokenFor(method, url, body);
      const sent = explicit
        ? Object.fromEntries(Object.entries(headers).filter(([k, v]) => k.toLowerCase() !== 'authorization' || v !== ''))
        : headers;
      const reply = await raw(method, url, body, token ? { ...sent, authorization: `Bearer ${token}` } : sent);
      if (method === 'POST' && url === '/v1/subscriptions' && reply.status === 201 && token) {
        const owner = [...owners.values()].find((o) => o.accessToken === token);
        if (owner) cardOwners.set(reply.body.subscriptionId, owner);
      }
      return reply;
    },
    signUp: async () => {
      const owner = await signUp((m, u, b, hd) => raw(m as 'GET', u, b, hd));
      owners.set(owner.accountId, owner);
      newest = owner;
      return owner;
    },
    staffToken: async (role) => {
      const username = `${role}-${randomUUID().slice(0, 8)}`;
      await identity.staff.createStaff(username, role, 'staff password 1', new Date());
      const login = await raw('POST', '/v1/auth/staff/login', { username, password: 'staff password 1' });
      return login.body.accessToken as string;
    },
    usageToken,
    close: async () => {
      await sandbox.close();
      await ledger.close();
      await ledger.storage.close();
    },
  };
  return harness;
};

export { freshIccid };

/** A customer with one card in `region`, ready to renew. */
export const newCard = async (
  h: Harness,
  region = 'EU',
): Promise<{ accountId: string; subscriptionId: string; position: string; owner: Owner }> => {
  const owner = await h.signUp();
  const card = await h.request('POST', '/v1/subscriptions', { accountId: owner.accountId, iccid: freshIccid(), region });
  expect(card.status).toBe(201);
  return { accountId: owner.accountId, subscriptionId: card.body.subscriptionId, position: card.body.position, owner };
};

export const renewalBody = (planId = 'eu-monthly-10gb', token = 'tok_visa', extra: Record<string, unknown> = {}) => ({
  planId,
  paymentMethod: { type: 'card', token },
  ...extra,
});

/** Usage on a card through the network's feed (its machine client); answers the log position. */
export const recordUsage = async (h: Harness, subscriptionId: string, usageId: string, mb: number): Promise<string> => {
  const r = await h.raw(
    'POST',
    `/v1/subscriptions/${subscriptionId}/usage`,
    { usageId, mb },
    { authorization: `Bearer ${await h.usageToken()}` },
  );
  expect(r.status).toBe(201);
  return r.body.position as string;
};

export const eventTypes = async (h: Harness, subscriptionId: string): Promise<string[]> =>
  (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events.map((e: { type: string }) => e.type);

/**
 * Events outside the payment processes' own streams: a refused request must leave this unchanged,
 * while the provider's webhooks land in `payment-…` streams whenever they arrive.
 */
export const logSize = async (h: Harness): Promise<number> =>
  (await h.ledger.storage.store.readAll({ limit: 100_000, unsettled: true })).filter((e) => !e.streamId.startsWith('payment-')).length;

/** Asks `probe` until `done` holds or `ms` pass, and answers the last reading (the test asserts on it). */
export const eventually = async <T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
};
