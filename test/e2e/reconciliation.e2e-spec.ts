import { randomUUID } from 'node:crypto';
import { deterministicId } from '@ledger/event-store';
import { ledgerMovements, reconcileDay, verifyRunChain } from '@ledger/read-models';
import { Harness, embeddedInMemory, eventually, newCard, startHarness } from './ledger-harness';

/**
 * [10]'s generated day: traffic with every method, declines, a refund and a lost chargeback through
 * the sandbox provider, plus three planted differences. Reconciliation must report exactly those.
 */
describe('reconciling a day of traffic against the sandbox provider’s settlement', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ storage: await embeddedInMemory() });
  });
  afterAll(() => h.close());

  const renew = (card: string, key: string, type: string, token: string) =>
    h.request(
      'POST',
      `/v1/subscriptions/${card}/renewals`,
      { planId: 'eu-daily-1gb', paymentMethod: { type, token } },
      { 'Idempotency-Key': key },
    );
  const psp = (method: string, path: string, body?: unknown) =>
    fetch(`${h.psp.sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${h.psp.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  /** A capture written straight to a card, as an older version booked it (`fee` absent) or for a payment the provider never saw. */
  const plantCapture = async (subscriptionId: string, reference: string, fee: boolean): Promise<void> => {
    const stream = `subscription-${subscriptionId}`;
    const at = new Date().toISOString();
    const renewalId = randomUUID();
    const price = { amountMinor: 299, currency: 'EUR' };
    const meta = { commandId: renewalId, correlationId: renewalId, causationId: renewalId, actor: 'test', idempotencyKey: renewalId };
    const events = [
      {
        type: 'PlanSelected',
        data: {
          renewalId,
          planId: 'eu-daily-1gb',
          region: 'EU',
          kind: 'daily',
          days: 1,
          dataMb: 1024,
          listPrice: price,
          discounts: [],
          price,
          paymentMethod: 'card',
          requestHash: renewalId,
          selectedAt: at,
        },
      },
      {
        type: 'PaymentCaptured',
        data: {
          renewalId,
          paymentId: reference,
          amount: price,
          method: 'card',
          providerReference: 'planted',
          capturedAt: at,
          ...(fee ? { fee: { amountMinor: 29, currency: 'EUR' } } : {}),
        },
      },
      {
        type: 'ValidityExtended',
        data: {
          renewalId,
          previousExpiry: null,
          newExpiry: new Date(Date.now() + 86_400_000).toISOString(),
          dataMbGranted: 1024,
          bucketId: `bucket-${renewalId}`,
        },
      },
    ];
    const revision = (await h.ledger.storage.store.readStream(stream)).length - 1;
    await h.ledger.storage.store.appendToStream(
      stream,
      events.map((e, i) => ({ ...e, id: deterministicId(renewalId, String(i)), metadata: meta })),
      revision,
    );
  };

  it('reports exactly the planted breaks, totals the events, and re-runs to the same bytes', async () => {
    const cards = await Promise.all(Array.from({ length: 6 }, () => newCard(h)));
    const [a, b, c, d, e, f] = cards.map((x) => x.subscriptionId);
    await renew(a, 'r-card', 'card', 'tok_visa');
    await renew(b, 'r-apple', 'apple_pay', 'applepay_1');
    const pp = await renew(c, 'r-paypal', 'paypal', 'payer-1');
    await fetch(`${pp.body.nextAction.url}/approve`, { method: 'POST' });
    await renew(d, 'r-declined', 'card', 'tok_decline_1');
    await renew(d, 'r-insufficient', 'paypal', 'payer-2').then((r) => fetch(`${r.body.nextAction.url}/cancel`, { method: 'POST' }));
    const refunded = await renew(e, 'r-refund', 'card', 'tok_visa');
    const finance = await h.staffToken('finance');
    const refund = await h.request(
      'POST',
      `/v1/subscriptions/${e}/renewals/${refunded.body.renewalId}/refunds`,
      { amountMinor: 100, reason: 'customer_request' },
      {
        'Idempotency-Key': 'refund-1',
        authorization: `Bearer ${finance}`,
      },
    );
    expect(refund.body.status).toBe('refunded');
    const disputed = await renew(f, 'r-dispute', 'card', 'tok_visa');
    const disputedPayment = (await h.psp.client.findPayment(deterministicId('payment', disputed.body.renewalId)))!;
    const opened = (await (await psp('POST', `/sandbox/payments/${disputedPayment.id}/disputes`, {})).json()) as {
      dispute: { id: string };
    };
    await psp('POST', `/sandbox/disputes/${opened.dispute.id}/resolve`, { outcome: 'lost' });

    // Planted: a capture booked without its fee, a payment only the provider knows, one only the ledger knows.
    const unbooked = `legacy-${randomUUID()}`;
    await h.psp.client.createPayment({
      reference: unbooked,
      method: 'card',
      token: 'tok_visa',
      amount: { amountMinor: 299, currency: 'EUR' },
    });
    await plantCapture(a, unbooked, false);
    const stray = `stray-${randomUUID()}`;
    await h.psp.client.createPayment({
      reference: stray,
      method: 'card',
      token: 'tok_visa',
      amount: { amountMinor: 499, currency: 'EUR' },
    });
    const unsettled = `unsettled-${randomUUID()}`;
    await plantCapture(b, unsettled, true);

    const day = new Date().toISOString().slice(0, 10);
    // Every movement projected (the chargeback's card events arrive by webhook).
    await eventually(
      () => ledgerMovements(h.ledger.storage.dataSource, day),
      (m) => m.length === 9,
    );
    const settlement = Buffer.from(await (await psp('GET', `/v1/settlements/${day}`)).text());
    const asOf = new Date(Date.now() + 49 * 3_600_000).toISOString();
    const run = await reconcileDay(h.ledger.storage.dataSource, { day, settlement, asOf, graceHours: 48 });
    expect(run.breaks.map((x) => [x.reference, x.kind]).sort()).toEqual(
      [
        [unbooked, 'fee_not_booked'],
        [stray, 'missing_in_ledger'],
        [unsettled, 'timing'],
      ].sort(),
    );
    expect(run.matched).toBe(8);

    // Totals are the sums of the card events.
    const events = (await h.ledger.storage.store.readAll({ limit: 100_000 })).filter((x) => x.streamId.startsWith('subscription-'));
    const sum = (type: string, pick: (d: any) => number) => events.filter((x) => x.type === type).reduce((s, x) => s + pick(x.data), 0);
    const ledger = JSON.parse(run.report).totals.ledger.EUR;
    expect(ledger.charges).toBe(sum('PaymentCaptured', (d) => d.amount.amountMinor));
    expect(ledger.fees).toBe(sum('PaymentCaptured', (d) => d.fee?.amountMinor ?? 0));
    expect(ledger.refunds).toBe(-sum('PaymentRefunded', (d) => d.amount.amountMinor));
    expect(ledger.chargebacks).toBe(-sum('ChargebackResolved', (d) => (d.outcome === 'lost' ? d.amount.amountMinor : 0)));

    // The day's revenue: every sale of the day at its price, the refund and the lost chargeback as money back.
    const revenue = JSON.parse(run.report).revenue as { net: number; refunds: number; recognised: number; deferred: number }[];
    expect(revenue.reduce((s, r) => s + r.net, 0)).toBe(ledger.charges);
    expect(revenue.reduce((s, r) => s + r.refunds, 0)).toBe(-(ledger.refunds + ledger.chargebacks));
    for (const r of revenue) expect(r.recognised + r.deferred + r.refunds).toBe(r.net);

    const again = await reconcileDay(h.ledger.storage.dataSource, { day, settlement, asOf, graceHours: 48 });
    expect(again.report).toBe(run.report);
    expect(again.previousHash).toBe(run.hash);
    expect(await verifyRunChain(h.ledger.storage.dataSource)).toBeNull();

    // Finance reads the runs; a card owner may not.
    const auth = { authorization: `Bearer ${finance}` };
    const runs = await h.request('GET', `/v1/finance/reconciliations?day=${day}`, undefined, auth);
    expect(runs.body.runs.map((r: { seq: number; hash: string }) => [r.seq, r.hash])).toEqual([
      [run.seq, run.hash],
      [again.seq, again.hash],
    ]);
    const one = await h.request('GET', `/v1/finance/reconciliations/${run.seq}`, undefined, auth);
    expect(one.body.report).toEqual(JSON.parse(run.report));
    const csv = await h.request('GET', `/v1/finance/reconciliations/${run.seq}?format=csv`, undefined, auth);
    expect(String(csv.body).split('\r\n').filter(Boolean)).toHaveLength(1 + 3);
    const owner = await h.request('GET', `/v1/finance/reconciliations?day=${day}`, undefined, {
      authorization: `Bearer ${cards[0].owner.accessToken}`,
    });
    expect(owner.status).toBe(403);
    expect((await h.request('GET', `/v1/finance/reconciliations/999999`, undefined, auth)).body.code).toBe('RUN_NOT_FOUND');
  });
});
