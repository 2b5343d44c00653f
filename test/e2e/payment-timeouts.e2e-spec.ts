import { deterministicId } from '@ledger/event-store';
import { loadConfig } from '@ledger/config';
import { adoptStranded } from '../../apps/api/src/renewals/payment-processes';
import { PAYMENT_PROCESSES } from '../../apps/api/src/infrastructure/tokens';
import { Harness, embeddedInMemory, eventTypes, eventually, newCard, startHarness } from './ledger-harness';

/**
 * The provider that does not answer, answers late or never hears back from the owner: the process
 * asks again, looks the payment up, and abandons within the bound; nothing is charged twice.
 */
describe('payment timeouts and recovery (embedded default, sandbox provider)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      storage: await embeddedInMemory(),
      env: { PAYMENT_CONFIRM_MS: '800', PAYMENT_ABANDON_MS: '3000', RENEWAL_ANSWER_MS: '200', PSP_TIMEOUT_MS: '300' },
    });
  });
  afterEach(() => h.psp.sandbox.setFaults({}));
  afterAll(() => h.close());

  const renew = (card: string, key: string, type = 'card', token = 'tok_visa') =>
    h.request(
      'POST',
      `/v1/subscriptions/${card}/renewals`,
      { planId: 'eu-monthly-10gb', paymentMethod: { type, token } },
      { 'Idempotency-Key': key },
    );
  const final = (card: string, renewalId: string) =>
    eventually(
      () => h.request('GET', `/v1/subscriptions/${card}/renewals/${renewalId}`),
      (r) => r.status === 200 && r.body.status !== 'pending',
    );
  const captures = async (renewalId: string): Promise<number> => {
    const res = await fetch(`${h.psp.sandbox.url}/sandbox/stats`, { headers: { authorization: `Bearer ${h.psp.apiKey}` } });
    return ((await res.json()) as { byReference: Record<string, number> }).byReference[deterministicId('payment', renewalId)] ?? 0;
  };

  it('answers pending when the provider hangs, then completes by asking again, charging once', async () => {
    const { subscriptionId } = await newCard(h);
    // The charge is done at the provider but never answered; no webhook tells us either.
    h.psp.sandbox.setFaults({ hangNext: 1, webhooksPaused: true });
    const started = await renew(subscriptionId, 'hang-1');
    expect(started.body).toMatchObject({ status: 'pending' });
    const done = await final(subscriptionId, started.body.renewalId);
    expect(done.body.status).toBe('completed');
    expect(await captures(started.body.renewalId)).toBe(1);
  });

  it('retries a provider that answers 503 with a backoff, and completes', async () => {
    const { subscriptionId } = await newCard(h);
    h.psp.sandbox.setFaults({ failNext: 2 });
    const started = await renew(subscriptionId, 'busy-1');
    expect((await final(subscriptionId, started.body.renewalId)).body.status).toBe('completed');
    expect(await captures(started.body.renewalId)).toBe(1);
  });

  it('abandons a PayPal order the owner never approves, frees the card and gives the first-order discount back', async () => {
    const { subscriptionId } = await newCard(h);
    const started = await renew(subscriptionId, 'never-approved', 'paypal', 'payer-x');
    expect(started.body).toMatchObject({ status: 'pending', nextAction: { type: 'approve' } });
    const done = await final(subscriptionId, started.body.renewalId);
    expect(done.body).toMatchObject({ status: 'abandoned', reason: 'not_confirmed_in_time' });
    expect(await captures(started.body.renewalId)).toBe(0);
    // The late approval finds the order cancelled: nothing is captured.
    const approve = await fetch(`${started.body.nextAction.url}/approve`, { method: 'POST' });
    expect(approve.status).toBe(409);
    const again = await renew(subscriptionId, 'after-abandon');
    expect(again.body.status).toBe('completed');
    const selected = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events.filter(
      (e: { type: string }) => e.type === 'PlanSelected',
    );
    expect(selected.map((e: any) => e.data.discounts.some((d: { kind: string }) => d.kind === 'first_order'))).toEqual([true, true]);
    expect(await eventTypes(h, subscriptionId)).toContain('RenewalAbandoned');
  });
});

describe('renewals an earlier version left pending (embedded default, sandbox provider)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ storage: await embeddedInMemory() });
  });
  afterAll(() => h.close());

  /** A card reserved by a renewal the way the request-handler saga left it: PlanSelected, then nothing. */
  const strand = async (key: string): Promise<{ subscriptionId: string; renewalId: string }> => {
    const { subscriptionId } = await newCard(h);
    const renewalId = deterministicId('renewal', subscriptionId, key);
    const stream = `subscription-${subscriptionId}`;
    const card = await h.ledger.storage.store.readStream(stream);
    const plan = { amountMinor: 1999, currency: 'EUR' };
    const data = {
      renewalId,
      planId: 'eu-monthly-10gb',
      region: 'EU',
      kind: 'monthly',
      days: 30,
      dataMb: 10240,
      listPrice: plan,
      discounts: [],
      price: plan,
      paymentMethod: 'card',
      requestHash: `legacy-${key}`,
      selectedAt: new Date().toISOString(),
    };
    const metadata = { commandId: key, correlationId: key, causationId: key, actor: 'account:legacy', idempotencyKey: key };
    await h.ledger.storage.store.appendToStream(
      stream,
      [{ id: deterministicId(renewalId, 'select'), type: 'PlanSelected', data, metadata }],
      card.length - 1,
    );
    return { subscriptionId, renewalId };
  };
  const adopt = async (waitForPending = true) => {
    if (waitForPending)
      await eventually(
        async () =>
          (await h.ledger.storage.dataSource.query('SELECT count(*)::int AS n FROM card_balance WHERE pending_renewal_id IS NOT NULL'))[0]
            .n,
        (n: number) => n >= 2,
      );
    return adoptStranded(h.ledger.storage, h.ledger.app.get(PAYMENT_PROCESSES), loadConfig({}));
  };

  it('completes one the provider captured and fails one it never saw; both cards are free again', async () => {
    const captured = await strand('legacy-captured');
    const unknown = await strand('legacy-unknown');
    // The provider took the money before the old process died.
    await h.psp.client.createPayment({
      reference: deterministicId('payment', captured.renewalId),
      method: 'card',
      token: 'tok_visa',
      amount: { amountMinor: 1999, currency: 'EUR' },
    });
    expect(await adopt()).toBe(2);
    const view = (c: { subscriptionId: string; renewalId: string }) =>
      eventually(
        () => h.request('GET', `/v1/subscriptions/${c.subscriptionId}/renewals/${c.renewalId}`),
        (r) => r.body.status !== 'pending',
      );
    expect((await view(captured)).body.status).toBe('completed');
    expect((await view(unknown)).body).toMatchObject({ status: 'failed', reason: 'unknown_at_provider' });
    for (const c of [captured, unknown]) {
      const card = await eventually(
        () => h.request('GET', `/v1/subscriptions/${c.subscriptionId}`),
        (r) => r.body.pendingRenewalId === null,
      );
      expect(card.body.pendingRenewalId).toBeNull();
    }
    expect(await adopt(false)).toBe(0);
  });
});
