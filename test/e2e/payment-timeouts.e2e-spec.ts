import { deterministicId } from '@ledger/event-store';
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
