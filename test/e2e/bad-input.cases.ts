import { randomUUID } from 'node:crypto';
import { CheckedEventStore } from '@ledger/event-store';
import { bearer } from './sign-up';
import { Harness, StorageFactory, logSize, newCard, renewalBody, startHarness } from './ledger-harness';
import { HeldProvider } from './held-provider';

/** Refusals: problem+json, a stable code, the field, and nothing written; run once per event-store adapter. */
export const badInputCases = (storage: StorageFactory): void => {
  let provider: HeldProvider;
  let h: Harness;
  let card: { accountId: string; subscriptionId: string };
  beforeAll(async () => {
    h = await startHarness({ storage: await storage(), wrapProvider: (p) => (provider = new HeldProvider(p)) });
    card = await newCard(h);
  });
  afterAll(() => h.close());

  const refused = async (
    method: 'GET' | 'POST',
    url: string,
    body: unknown,
    headers: Record<string, string>,
    status: number,
    code: string,
    field?: string,
  ) => {
    const before = await logSize(h);
    const res = await h.request(method, url, body, headers);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, code, ...(field ? { field } : {}) });
    expect(res.status).toBe(status);
    expect(await logSize(h)).toBe(before);
    return res.body;
  };
  const renewals = () => `/v1/subscriptions/${card.subscriptionId}/renewals`;

  it('refuses a malformed phone number', () =>
    refused('POST', '/v1/auth/register', { phoneNumber: '0170 123' }, {}, 400, 'VALIDATION_FAILED', 'phoneNumber'));
  it('refuses unknown fields', () =>
    refused('POST', '/v1/auth/register', { phoneNumber: '+491701234567', name: 'x' }, {}, 400, 'VALIDATION_FAILED', 'name'));
  it('refuses an ICCID that is not 19–20 digits', () =>
    refused(
      'POST',
      '/v1/subscriptions',
      { accountId: card.accountId, iccid: '89490200', region: 'EU' },
      {},
      400,
      'VALIDATION_FAILED',
      'iccid',
    ));
  it('refuses an unknown region', () =>
    refused(
      'POST',
      '/v1/subscriptions',
      { accountId: card.accountId, iccid: '8949020000012345678', region: 'MARS' },
      {},
      400,
      'VALIDATION_FAILED',
      'region',
    ));
  it('refuses a card for an account that does not exist', () =>
    refused(
      'POST',
      '/v1/subscriptions',
      { accountId: '00000000-0000-4000-8000-000000000000', iccid: '8949020000012345678', region: 'EU' },
      {},
      404,
      'ACCOUNT_NOT_FOUND',
      'accountId',
    ));
  it('refuses a renewal without an Idempotency-Key', () =>
    refused('POST', renewals(), renewalBody(), {}, 400, 'IDEMPOTENCY_KEY_REQUIRED', 'Idempotency-Key'));
  it('refuses an unknown plan with 404', () =>
    refused('POST', renewals(), renewalBody('eu-weekly-1gb'), { 'Idempotency-Key': 'bad-plan' }, 404, 'PLAN_NOT_FOUND', 'planId'));
  it('refuses a plan not sold in the card region', () =>
    refused('POST', renewals(), renewalBody('us-daily-1gb'), { 'Idempotency-Key': 'bad-region' }, 422, 'PLAN_NOT_IN_REGION', 'planId'));
  it('refuses an unknown promotion code', () =>
    refused(
      'POST',
      renewals(),
      renewalBody('eu-daily-1gb', 'tok_visa', { promotionCode: 'FREE' }),
      { 'Idempotency-Key': 'bad-promo' },
      422,
      'UNKNOWN_PROMOTION_CODE',
      'promotionCode',
    ));
  it('refuses an unknown payment method type', () =>
    refused(
      'POST',
      renewals(),
      { planId: 'eu-daily-1gb', paymentMethod: { type: 'cash', token: 't' } },
      { 'Idempotency-Key': 'bad-method' },
      400,
      'VALIDATION_FAILED',
      'paymentMethod.type',
    ));
  it('refuses a body that is not JSON', () =>
    refused('POST', renewals(), '{"planId":', { 'Idempotency-Key': 'bad-json' }, 400, 'MALFORMED_REQUEST'));
  it('refuses a subscription id that is not a UUID', () =>
    refused('GET', '/v1/subscriptions/abc', undefined, {}, 400, 'VALIDATION_FAILED', 'subscriptionId'));
  it('answers 404 for a card that does not exist', () =>
    refused('GET', '/v1/subscriptions/00000000-0000-4000-8000-000000000000', undefined, {}, 404, 'SUBSCRIPTION_NOT_FOUND'));
  it('refuses usage on a card with no valid data', () =>
    refused('POST', `/v1/subscriptions/${card.subscriptionId}/usage`, { usageId: 'big', mb: 5 }, {}, 422, 'SUBSCRIPTION_EXPIRED', 'mb'));
  it('refuses a non-integer usage', () =>
    refused('POST', `/v1/subscriptions/${card.subscriptionId}/usage`, { usageId: 'frac', mb: 1.5 }, {}, 400, 'VALIDATION_FAILED', 'mb'));

  it('answers the same key and body with the first answer and appends nothing', async () => {
    const first = await h.request('POST', renewals(), renewalBody('eu-daily-1gb'), { 'Idempotency-Key': 'same-twice' });
    const before = await logSize(h);
    const again = await h.request('POST', renewals(), renewalBody('eu-daily-1gb'), { 'Idempotency-Key': 'same-twice' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await logSize(h)).toBe(before);
  });

  it('refuses the same key with a different body', async () => {
    await h.request('POST', renewals(), renewalBody('eu-daily-1gb'), { 'Idempotency-Key': 'reused' });
    await refused(
      'POST',
      renewals(),
      renewalBody('eu-monthly-10gb'),
      { 'Idempotency-Key': 'reused' },
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'Idempotency-Key',
    );
  });

  it('refuses a second renewal while one is pending, then completes the first', async () => {
    const held = provider.hold();
    const pending = h.request('POST', renewals(), renewalBody('eu-daily-1gb'), { 'Idempotency-Key': 'pending-1' });
    await held.arrived;
    await refused('POST', renewals(), renewalBody('eu-daily-1gb'), { 'Idempotency-Key': 'pending-2' }, 409, 'RENEWAL_IN_PROGRESS');
    held.open();
    expect((await pending).body.status).toBe('completed');
  });

  it('refuses a request that is not JSON with 415', async () => {
    const res = await h.request('POST', '/v1/auth/register', undefined, { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.contentType).toContain('application/problem+json');
  });

  describe('inputs that once poisoned a card', () => {
    const poisons: [string, unknown][] = [
      ['an empty array as paymentMethod', { planId: 'eu-daily-1gb', paymentMethod: [] }],
      ['an array of payment methods', { planId: 'eu-daily-1gb', paymentMethod: [{ type: 'card', token: 'tok_visa' }] }],
      ['no paymentMethod at all', { planId: 'eu-daily-1gb' }],
      ['a string as paymentMethod', { planId: 'eu-daily-1gb', paymentMethod: 'card' }],
      ['null as paymentMethod', { planId: 'eu-daily-1gb', paymentMethod: null }],
    ];
    it.each(poisons)('refuses %s with a 400 naming paymentMethod, and the card still renews', async (_name, body) => {
      await refused('POST', renewals(), body, { 'Idempotency-Key': `poison-${_name.length}` }, 400, 'VALIDATION_FAILED', 'paymentMethod');
      const ok = await h.request('POST', renewals(), renewalBody('eu-daily-1gb'), { 'Idempotency-Key': `after-poison-${_name.length}` });
      expect(ok.status).toBe(201);
      expect(ok.body.status).toBe('completed');
    });
  });

  it('refuses JSON nested deeper than the limit, naming the limit', async () => {
    const deep = `${'['.repeat(1500)}${']'.repeat(1500)}`;
    const body = await refused('POST', renewals(), deep, { 'Idempotency-Key': 'deep' }, 400, 'JSON_TOO_DEEP');
    expect(body.limit).toEqual({ name: 'HTTP_MAX_JSON_DEPTH', value: 32 });
  });
  it('refuses a form-encoded body with 415', () =>
    refused(
      'POST',
      '/v1/auth/register',
      'phoneNumber=%2B491701234567',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ));
  it('refuses a prototype-polluting key', () =>
    refused('POST', '/v1/auth/register', '{"phoneNumber":"+491701234567","__proto__":{"x":1}}', {}, 400, 'MALFORMED_REQUEST'));
  it('refuses a minPosition beyond 64 bits at once, naming it', () =>
    refused(
      'GET',
      `/v1/subscriptions/${card.subscriptionId}?minPosition=9999999999999999999`,
      undefined,
      {},
      400,
      'VALIDATION_FAILED',
      'minPosition',
    ));
  it('answers 405 with Allow for a known path and the wrong method', async () => {
    const res = await h.request('DELETE' as 'GET', `/v1/subscriptions/${card.subscriptionId}`);
    expect(res.status).toBe(405);
    expect(res.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405 });
    expect(res.contentType).toContain('application/problem+json');
  });
  it('still answers 404 for a path that does not exist', () => refused('GET', '/v1/nothing-here', undefined, {}, 404, 'ROUTE_NOT_FOUND'));

  it('a bad event already in the log sets only its card aside: other cards keep reading their own writes', async () => {
    const victim = await newCard(h);
    const other = await newCard(h);
    const meta = { commandId: 'manual', correlationId: 'manual', causationId: 'manual', actor: 'dba', idempotencyKey: 'manual' };
    // A manual write below the schema-checked append path (an old bug, a hand-edited row): usage drawn from no bucket.
    await (h.ledger.storage.store as CheckedEventStore).inner.appendToStream(
      `subscription-${victim.subscriptionId}`,
      [{ id: randomUUID(), type: 'DataUsageRecorded', data: { usageId: 'manual', mb: 1 }, metadata: meta }],
      'any',
    );
    const renewed = await h.request('POST', `/v1/subscriptions/${other.subscriptionId}/renewals`, renewalBody('eu-daily-1gb'), {
      'Idempotency-Key': 'beside-bad',
    });
    expect(renewed.body.status).toBe('completed');
    const read = await h.request('GET', `/v1/subscriptions/${other.subscriptionId}?minPosition=${renewed.body.position}`);
    expect(read.status).toBe(200);
    expect(read.body.dataRemainingMb).toBe(1024);
    const victimRead = await h.request('GET', `/v1/subscriptions/${victim.subscriptionId}`);
    expect(victimRead.status).toBe(503);
    expect(victimRead.body.code).toBe('READ_MODEL_FAILED');
    const health = await h.request('GET', '/health', undefined, bearer(await h.staffToken('support')));
    expect((await h.request('GET', '/health')).body.projections.find((p: { name: string }) => p.name === 'card_balance')).toMatchObject({
      quarantinedCount: 1,
      quarantined: [],
    });
    expect(health.body.status).toBe('degraded');
    const balance = health.body.projections.find((p: { name: string }) => p.name === 'card_balance');
    expect(balance.quarantined).toEqual([
      expect.objectContaining({ streamId: `subscription-${victim.subscriptionId}`, eventType: 'DataUsageRecorded' }),
    ]);
  });
};
