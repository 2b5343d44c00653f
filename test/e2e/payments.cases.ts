import { parse } from 'csv-parse/sync';
import { signWebhook } from '@ledger/payments';
import { Harness, PSP_TEST_KEYS, StorageFactory, eventTypes, eventually, newCard, startHarness } from './ledger-harness';

/** Every payment method end to end against the sandbox provider's HTTP service, and what comes after. */
export const paymentCases = (storage: StorageFactory): void => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ storage: await storage() });
  });
  afterAll(() => h.close());

  const renew = (card: string, key: string, method: string, token: string, planId = 'eu-monthly-10gb') =>
    h.request('POST', `/v1/subscriptions/${card}/renewals`, { planId, paymentMethod: { type: method, token } }, { 'Idempotency-Key': key });
  const renewal = (card: string, id: string) => h.request('GET', `/v1/subscriptions/${card}/renewals/${id}`);
  const settled = (card: string, id: string) =>
    eventually(
      () => renewal(card, id),
      (r) => r.status === 200 && r.body.status !== 'pending',
    );
  const capturedPaymentId = async (card: string): Promise<string> =>
    (
      (await h.ledger.storage.store.readStream(`subscription-${card}`)).find((e) => e.type === 'PaymentCaptured')!.data as {
        paymentId: string;
      }
    ).paymentId;
  const psp = (method: string, path: string, body?: unknown) =>
    fetch(`${h.psp.sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${h.psp.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('renews with PayPal only after the owner approves on the sandbox page, then captures', async () => {
    const { subscriptionId } = await newCard(h);
    const started = await renew(subscriptionId, 'pp-1', 'paypal', 'payer-1');
    expect(started.body).toMatchObject({ status: 'pending', nextAction: { type: 'approve' } });
    expect(started.body.links.self).toBe(`/v1/subscriptions/${subscriptionId}/renewals/${started.body.renewalId}`);
    const page = await fetch(started.body.nextAction.url);
    expect(await page.text()).toContain('Approve');
    expect((await eventTypes(h, subscriptionId)).slice(-1)).toEqual(['PaymentActionRequired']);
    await fetch(`${started.body.nextAction.url}/approve`, { method: 'POST' });
    const done = await settled(subscriptionId, started.body.renewalId);
    expect(done.body).toMatchObject({ status: 'completed', paymentMethod: 'paypal' });
    expect(done.body.history.map((s: { event: string }) => s.event)).toEqual([
      'PlanSelected',
      'PaymentActionRequired',
      'PaymentCaptured',
      'ValidityExtended',
    ]);
    const found = await h.psp.client.findPayment(await capturedPaymentId(subscriptionId));
    expect(found?.status).toBe('captured');
  });

  it('reports a PayPal decline as PayPal’s, not as a card decline', async () => {
    const { subscriptionId } = await newCard(h);
    const started = await renew(subscriptionId, 'pp-2', 'paypal', 'tok_decline_pp');
    await fetch(`${started.body.nextAction.url}/approve`, { method: 'POST' });
    expect((await settled(subscriptionId, started.body.renewalId)).body).toMatchObject({ status: 'failed', reason: 'paypal_declined' });
  });

  it('completes a card payment that needs 3-D Secure once the owner passes it', async () => {
    const { subscriptionId } = await newCard(h);
    const started = await renew(subscriptionId, '3ds-1', 'card', 'tok_3ds_visa');
    expect(started.body).toMatchObject({ status: 'pending', nextAction: { type: 'three_d_secure' } });
    await fetch(`${started.body.nextAction.url}/complete`, { method: 'POST' });
    expect((await settled(subscriptionId, started.body.renewalId)).body.status).toBe('completed');
  });

  it('exchanges an Apple Pay token for a charge in the request', async () => {
    const { subscriptionId } = await newCard(h);
    const ok = await renew(subscriptionId, 'ap-1', 'apple_pay', 'applepay_token_1');
    expect(ok.body.status).toBe('completed');
    const { subscriptionId: other } = await newCard(h);
    expect((await renew(other, 'ap-2', 'apple_pay', 'tok_decline_ap')).body).toMatchObject({
      status: 'failed',
      reason: 'apple_pay_declined',
    });
  });

  it('refuses forged and stale webhooks with problem+json 401 and stores nothing', async () => {
    const body = JSON.stringify({ id: 'evt_forged', type: 'payment.captured', created: 1, data: { payment: { reference: 'x' } } });
    const post = (signature: string) =>
      fetch(`${h.url}/v1/webhooks/psp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'psp-signature': signature },
        body,
      });
    const now = Math.floor(Date.now() / 1000);
    for (const signature of [signWebhook(body, 'whsec_wrong', now), signWebhook(body, PSP_TEST_KEYS.webhookSecret, now - 301), 'garbage']) {
      const res = await post(signature);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { code: string }).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
  });

  it('absorbs a duplicated webhook: the payment is taken in once', async () => {
    const { subscriptionId } = await newCard(h);
    const started = await renew(subscriptionId, 'dup-1', 'card', 'tok_visa');
    const paymentId = await capturedPaymentId(subscriptionId);
    const payment = await h.psp.client.findPayment(paymentId);
    const body = JSON.stringify({
      id: 'evt_dup_test',
      type: 'payment.captured',
      created: Math.floor(Date.now() / 1000),
      data: { payment },
    });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${h.url}/v1/webhooks/psp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'psp-signature': signWebhook(body, PSP_TEST_KEYS.webhookSecret, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      expect(res.status).toBe(200);
    }
    const process = await h.ledger.storage.store.readStream(`payment-${paymentId}`);
    expect(process.filter((e) => (e.data as { eventId?: string }).eventId === 'evt_dup_test')).toHaveLength(1);
    expect((await eventTypes(h, subscriptionId)).filter((t) => t === 'PaymentCaptured')).toHaveLength(1);
    expect(started.body.status).toBe('completed');
  });

  it('takes in a late, older webhook without moving the payment back or doubling anything', async () => {
    const { subscriptionId } = await newCard(h);
    const started = await renew(subscriptionId, 'reorder-1', 'card', 'tok_visa');
    expect(started.body.status).toBe('completed');
    const paymentId = await capturedPaymentId(subscriptionId);
    const payment = (await h.psp.client.findPayment(paymentId))!;
    const older = { ...payment, status: 'requires_action', nextAction: { type: 'three_d_secure', url: 'http://x/pay/3ds/1' } };
    const before = await eventTypes(h, subscriptionId);
    const body = JSON.stringify({ id: 'evt_older', type: 'payment.requires_action', created: 1, data: { payment: older } });
    const now = Math.floor(Date.now() / 1000);
    const res = await fetch(`${h.url}/v1/webhooks/psp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'psp-signature': signWebhook(body, PSP_TEST_KEYS.webhookSecret, now) },
      body,
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventTypes(h, subscriptionId)).toEqual(before);
    expect((await renewal(subscriptionId, started.body.renewalId)).body).toMatchObject({ status: 'completed' });
    expect((await renewal(subscriptionId, started.body.renewalId)).body.nextAction).toBeUndefined();
  });

  it('books the provider’s fee on the capture, as its settlement report will show it', async () => {
    const { subscriptionId } = await newCard(h);
    await renew(subscriptionId, 'fee-1', 'card', 'tok_visa');
    const events = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events as { type: string; data: any }[];
    const captured = events.find((e) => e.type === 'PaymentCaptured')!.data;
    // 1,999 EUR cents less 20 % first order = 1,599; card tariff 1.4 % (22.386 → 22) + 25.
    expect(captured).toMatchObject({ amount: { amountMinor: 1599, currency: 'EUR' }, fee: { amountMinor: 47, currency: 'EUR' } });
    const settlement = await psp('GET', `/v1/settlements/${captured.capturedAt.slice(0, 10)}`);
    const line = (await settlement.text()).split('\r\n').find((l) => l.includes(captured.paymentId))!;
    expect(line.split(',').slice(6, 9)).toEqual(['1599', '47', '1552']);
  });

  it('refunds part of a renewal for finance only, and claws back unused data pro rata', async () => {
    const { subscriptionId } = await newCard(h);
    const done = await renew(subscriptionId, 'refund-1', 'card', 'tok_visa');
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/usage`, { usageId: 'ref-u1', mb: 1024 });
    const url = `/v1/subscriptions/${subscriptionId}/renewals/${done.body.renewalId}/refunds`;
    const asOwner = await h.request('POST', url, { amountMinor: 100, reason: 'customer_request' }, { 'Idempotency-Key': 'r1' });
    expect(asOwner.status).toBe(403);
    const finance = await h.staffToken('finance');
    const price = (await renewal(subscriptionId, done.body.renewalId)).body.price.amountMinor as number;
    const half = Math.floor(price / 2);
    const refund = await h.request(
      'POST',
      url,
      { amountMinor: half, reason: 'customer_request' },
      { 'Idempotency-Key': 'r1', authorization: `Bearer ${finance}` },
    );
    expect(refund.body).toMatchObject({ status: 'refunded', amountMinor: half });
    const again = await h.request(
      'POST',
      url,
      { amountMinor: half, reason: 'customer_request' },
      { 'Idempotency-Key': 'r1', authorization: `Bearer ${finance}` },
    );
    expect(again.body.refundId).toBe(refund.body.refundId);
    const over = await h.request(
      'POST',
      url,
      { amountMinor: price, reason: 'customer_request' },
      { 'Idempotency-Key': 'r2', authorization: `Bearer ${finance}` },
    );
    expect(over.body).toMatchObject({ status: 422, code: 'REFUND_EXCEEDS_PAYMENT', field: 'amountMinor' });
    const events = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events as { type: string; data: any }[];
    const revoked = events.find((e) => e.type === 'EntitlementRevoked')!;
    expect(events.filter((e) => e.type === 'PaymentRefunded')).toHaveLength(1);
    // 10,240 MB bought, 1,024 used; half the price back: the bucket keeps floor(10240 × kept / paid) in all.
    const entitled = Math.floor((10240 * (price - half)) / price);
    expect(revoked.data.mbRevoked).toBe(10240 - 1024 - (entitled - 1024));
    const view = await eventually(
      () => h.request('GET', `/v1/subscriptions/${subscriptionId}`),
      (r) => r.body.dataRemainingMb === entitled - 1024,
    );
    expect(view.body.dataRemainingMb).toBe(entitled - 1024);
    const history = await eventually(
      () => renewal(subscriptionId, done.body.renewalId),
      (r) => r.body.refundedMinor === half,
    );
    expect(history.body).toMatchObject({ refundedMinor: half, revokedMb: revoked.data.mbRevoked });
    expect(history.body.history.map((e: { event: string }) => e.event).slice(-2)).toEqual(['PaymentRefunded', 'EntitlementRevoked']);
  });

  it('takes back all unused data on a lost chargeback, reported by webhook', async () => {
    const { subscriptionId } = await newCard(h);
    const done = await renew(subscriptionId, 'cb-1', 'card', 'tok_visa');
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/usage`, { usageId: 'cb-u1', mb: 100 });
    const paymentId = await capturedPaymentId(subscriptionId);
    const payment = (await h.psp.client.findPayment(paymentId))!;
    const opened = (await (await psp('POST', `/sandbox/payments/${payment.id}/disputes`, {})).json()) as { dispute: { id: string } };
    await psp('POST', `/sandbox/disputes/${opened.dispute.id}/resolve`, { outcome: 'lost' });
    const view = await eventually(
      () => renewal(subscriptionId, done.body.renewalId),
      (r) => r.body.chargeback === 'lost' && r.body.revokedMb > 0,
    );
    expect(view.body).toMatchObject({ chargeback: 'lost', revokedMb: 10240 - 100 });
    expect(view.body.history.map((e: { event: string }) => e.event).slice(-3)).toEqual([
      'ChargebackOpened',
      'ChargebackResolved',
      'EntitlementRevoked',
    ]);
    const card = await eventually(
      () => h.request('GET', `/v1/subscriptions/${subscriptionId}`),
      (r) => r.body.dataRemainingMb === 0,
    );
    expect(card.body.dataRemainingMb).toBe(0);
  });

  it('lists the day’s payments for finance as JSON and as CSV, and refuses a card owner', async () => {
    const { subscriptionId } = await newCard(h);
    const paid = await renew(subscriptionId, 'fin-1', 'card', 'tok_visa');
    await renew(subscriptionId, 'fin-2', 'card', 'tok_decline_fin');
    const finance = await h.staffToken('finance');
    const today = new Date().toISOString().slice(0, 10);
    const all = async () => {
      const out: any[] = [];
      let after: string | undefined;
      for (;;) {
        const q = `/v1/finance/payments?date=${today}&limit=50${after ? `&after=${after}` : ''}`;
        const page = await h.request('GET', q, undefined, { authorization: `Bearer ${finance}` });
        expect(page.status).toBe(200);
        out.push(...page.body.payments);
        if (!page.body.next) return out;
        after = page.body.next;
      }
    };
    const mine = await eventually(
      async () => (await all()).filter((p) => p.subscriptionId === subscriptionId),
      (rows) => rows.length === 2 && rows.every((r) => r.status !== 'pending'),
    );
    const captured = mine.find((p) => p.renewalId === paid.body.renewalId);
    expect(captured).toMatchObject({
      status: 'captured',
      method: 'card',
      amountMinor: 1599,
      feeMinor: 47,
      netMinor: 1552,
      entitlementGranted: true,
    });
    expect(captured.accountId).toEqual(expect.any(String));
    expect(captured.promotions).toBe('first-order');
    expect(mine.find((p) => p.renewalId !== paid.body.renewalId)).toMatchObject({ status: 'failed', feeMinor: null });
    const csv = await h.request('GET', `/v1/finance/payments?date=${today}&format=csv&limit=10000`, undefined, {
      authorization: `Bearer ${finance}`,
    });
    expect(csv.contentType).toContain('text/csv');
    const rows = parse(csv.body as string, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.renewalId === paid.body.renewalId)).toMatchObject({
      amountMinor: '1599',
      feeMinor: '47',
      status: 'captured',
    });
    const owner = await h.request('GET', `/v1/finance/payments?date=${today}`);
    expect([401, 403]).toContain(owner.status);
    const asOwner = await h.request('GET', `/v1/finance/payments?date=${today}`, undefined, {
      authorization: `Bearer ${(await h.signUp()).accessToken}`,
    });
    expect(asOwner.status).toBe(403);
    const bad = await h.request('GET', `/v1/finance/payments?date=2026-02-30`, undefined, { authorization: `Bearer ${finance}` });
    expect(bad.body).toMatchObject({ status: 400, field: 'date' });
  });
};
