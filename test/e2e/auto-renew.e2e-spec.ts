import { Harness, eventTypes, eventually, newCard, recordUsage, renewalBody, startHarness } from './ledger-harness';

/** Opt-in auto-renew: a reminder renews the chosen plan with the saved method, within the monthly cap, until switched off. */
describe('auto-renew', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { CARD_WATCH_SWEEP_MS: '100' } });
  });
  afterAll(() => h?.close());

  const use = (subscriptionId: string, usageId: string, mb: number) => recordUsage(h, subscriptionId, usageId, mb);
  const count = async (subscriptionId: string, type: string) => (await eventTypes(h, subscriptionId)).filter((t) => t === type).length;
  const mandate = { planId: 'eu-monthly-10gb', paymentMethod: { type: 'card', token: 'tok_visa' }, monthlyCapMinor: 2500 };

  it('renews when data runs low, skips what would pass the cap, and stops when switched off', async () => {
    const { subscriptionId } = await newCard(h);
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'first' });
    const on = await h.request('PUT', `/v1/subscriptions/${subscriptionId}/auto-renew`, mandate);
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({
      enabled: true,
      planId: 'eu-monthly-10gb',
      paymentMethod: 'card',
      monthlyCap: { amountMinor: 2500, currency: 'EUR' },
    });

    await use(subscriptionId, 'a-1', 9_800);
    expect(
      await eventually(
        () => count(subscriptionId, 'ValidityExtended'),
        (n) => n === 2,
      ),
    ).toBe(2);
    const events = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events;
    expect(events.filter((e: { type: string }) => e.type === 'PlanSelected').at(-1).metadata.actor).toBe('system:auto-renew');
    expect((await h.request('GET', `/v1/subscriptions/${subscriptionId}/auto-renew`)).body.spentThisMonth).toBe(1999);

    // The new bucket runs low too: another 19.99 would pass the 25.00 cap, so nothing is charged.
    await use(subscriptionId, 'a-2', 10_400);
    expect(
      await eventually(
        () => count(subscriptionId, 'RenewalReminderDue'),
        (n) => n === 2,
      ),
    ).toBe(2);
    const stream = await eventually(
      async () => (await h.ledger.storage.store.readStream(`autorenew-${subscriptionId}`)).map((e) => e.type),
      (t) => t.includes('AutoRenewSkipped'),
    );
    expect(stream).toEqual(['AutoRenewEnabled', 'AutoRenewAttempted', 'AutoRenewSkipped']);
    expect(await count(subscriptionId, 'ValidityExtended')).toBe(2);

    expect((await h.request('DELETE', `/v1/subscriptions/${subscriptionId}/auto-renew`)).status).toBe(204);
    expect((await h.request('GET', `/v1/subscriptions/${subscriptionId}/auto-renew`)).body).toMatchObject({
      enabled: false,
      spentThisMonth: 1999,
    });
  });

  it('refuses PayPal (it needs the owner each time), a plan of another region, and another owner', async () => {
    const { subscriptionId } = await newCard(h);
    const paypal = await h.request('PUT', `/v1/subscriptions/${subscriptionId}/auto-renew`, {
      ...mandate,
      paymentMethod: { type: 'paypal', token: 'x' },
    });
    expect(paypal.status).toBe(400);
    expect(paypal.body.detail).toMatch(/paymentMethod.type must be card or apple_pay/);
    const us = await h.request('PUT', `/v1/subscriptions/${subscriptionId}/auto-renew`, { ...mandate, planId: 'us-monthly-15gb' });
    expect([us.status, us.body.code, us.body.field]).toEqual([422, 'PLAN_NOT_IN_REGION', 'planId']);
    const cap = await h.request('PUT', `/v1/subscriptions/${subscriptionId}/auto-renew`, { ...mandate, monthlyCapMinor: 0 });
    expect(cap.status).toBe(400);
    const other = await h.signUp();
    const theirs = await h.request('PUT', `/v1/subscriptions/${subscriptionId}/auto-renew`, mandate, {
      authorization: `Bearer ${other.accessToken}`,
    });
    expect(theirs.status).toBe(404);
    expect((await h.ledger.storage.store.readStream(`autorenew-${subscriptionId}`)).length).toBe(0);
  });
});
