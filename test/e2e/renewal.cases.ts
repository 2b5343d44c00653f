import { Harness, StorageFactory, eventTypes, newCard, renewalBody, startHarness } from './ledger-harness';

/** The renewal walkthrough, run once per event-store adapter (embedded, PostgreSQL, EventStoreDB). */
export const renewalCases = (storage: StorageFactory): void => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      storage: await storage(),
      env: {
        LEDGER_HOLIDAYS: JSON.stringify([
          { promotionId: 'winter', from: '2020-01-01T00:00:00Z', to: '2099-01-01T00:00:00Z', percentOffBp: 500 },
        ]),
      },
    });
  });
  afterAll(() => h.close());

  it('lists the plans sold in a region', async () => {
    const res = await h.request('GET', '/v1/plans?region=US');
    expect(res.status).toBe(200);
    expect(res.body.plans.length).toBeGreaterThanOrEqual(3);
    expect(res.body.plans.every((p: { region: string }) => p.region === 'US')).toBe(true);
    expect(new Set(res.body.plans.map((p: { kind: string }) => p.kind))).toEqual(new Set(['daily', 'monthly', 'annual']));
  });

  it('reports health with every projection running', async () => {
    const res = await h.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.projections.map((p: { name: string; state: string }) => [p.name, p.state])).toEqual([
      ['audit_event', 'running'],
      ['card_balance', 'running'],
      ['money_movement', 'running'],
      ['payment', 'running'],
      ['renewal', 'running'],
    ]);
  });

  it('serves the API documentation at /docs', async () => {
    const ui = await h.request('GET', '/docs');
    const spec = await h.request('GET', '/docs-json');
    expect(ui.status).toBe(200);
    expect(ui.contentType).toContain('text/html');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/v1/plans', '/v1/subscriptions/{id}/renewals', '/v1/subscriptions/{id}/events']),
    );
  });

  it('renews a card: events in the stream, then balance and expiry in the read model', async () => {
    const { subscriptionId, position } = await newCard(h);
    const before = await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${position}`);
    expect(before.body).toMatchObject({ status: 'new', dataRemainingMb: 0, expiresAt: null });

    const renewal = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), {
      'Idempotency-Key': 'walkthrough-1',
    });
    expect(renewal.status).toBe(201);
    expect(renewal.body.status).toBe('completed');
    expect(await eventTypes(h, subscriptionId)).toEqual(['SubscriptionOpened', 'PlanSelected', 'PaymentCaptured', 'ValidityExtended']);

    const after = await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${renewal.body.position}`);
    expect(after.body).toMatchObject({ status: 'active', dataRemainingMb: 10240, plansBought: 1, pendingRenewalId: null });
    const days = (Date.parse(after.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const status = await h.request(
      'GET',
      `/v1/subscriptions/${subscriptionId}/renewals/${renewal.body.renewalId}?minPosition=${renewal.body.position}`,
    );
    expect(status.body).toMatchObject({ status: 'completed', planId: 'eu-monthly-10gb' });
  });

  it('stacks a second renewal after the current expiry and adds a bucket', async () => {
    const { subscriptionId } = await newCard(h);
    const first = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'stack-1' });
    const second = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody('eu-daily-1gb'), {
      'Idempotency-Key': 'stack-2',
    });
    const view = await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${second.body.position}`);
    const events = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events;
    const extended = events.filter((e: { type: string }) => e.type === 'ValidityExtended').map((e: { data: any }) => e.data);
    expect(first.body.status).toBe('completed');
    expect(extended[1].previousExpiry).toBe(extended[0].newExpiry);
    expect(Date.parse(extended[1].newExpiry) - Date.parse(extended[0].newExpiry)).toBe(86_400_000);
    expect(view.body).toMatchObject({ dataRemainingMb: 10240 + 1024, plansBought: 2, expiresAt: extended[1].newExpiry });
    expect(view.body.buckets).toHaveLength(2);
  });

  it('applies the first-order discount once per account, plus holiday specials and coupons', async () => {
    const { subscriptionId } = await newCard(h);
    const first = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'promo-1' });
    const second = await h.request(
      'POST',
      `/v1/subscriptions/${subscriptionId}/renewals`,
      renewalBody('eu-monthly-10gb', 'tok_visa', { promotionCode: 'save10' }),
      { 'Idempotency-Key': 'promo-2' },
    );
    const selected = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events.filter(
      (e: { type: string }) => e.type === 'PlanSelected',
    );
    const kinds = selected.map((e: any) => e.data.discounts.map((d: { kind: string }) => d.kind));
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(kinds).toEqual([
      ['first_order', 'holiday'],
      ['holiday', 'coupon'],
    ]);
    // 1999 list: 20% first order = 400, 5% holiday = 100; then 100 holiday + 200 coupon.
    expect(selected.map((e: any) => e.data.price.amountMinor)).toEqual([1499, 1699]);
  });

  it('leaves the card unchanged after a declined payment and reports the renewal failed', async () => {
    const { subscriptionId } = await newCard(h);
    const declined = await h.request(
      'POST',
      `/v1/subscriptions/${subscriptionId}/renewals`,
      renewalBody('eu-monthly-10gb', 'tok_decline_visa'),
      { 'Idempotency-Key': 'decline-1' },
    );
    expect(declined.status).toBe(201);
    expect(declined.body).toMatchObject({ status: 'failed', reason: 'card_declined' });
    expect(await eventTypes(h, subscriptionId)).toEqual(['SubscriptionOpened', 'PlanSelected', 'PaymentFailed']);
    const view = await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${declined.body.position}`);
    expect(view.body).toMatchObject({ status: 'new', dataRemainingMb: 0, expiresAt: null, pendingRenewalId: null, plansBought: 0 });
    const status = await h.request(
      'GET',
      `/v1/subscriptions/${subscriptionId}/renewals/${declined.body.renewalId}?minPosition=${declined.body.position}`,
    );
    expect(status.body).toMatchObject({ status: 'failed', reason: 'card_declined' });
  });

  it('gives the first-order discount back when that payment fails', async () => {
    const { subscriptionId } = await newCard(h);
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody('eu-monthly-10gb', 'tok_insufficient'), {
      'Idempotency-Key': 'fo-fail',
    });
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'fo-retry' });
    const selected = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events.filter(
      (e: { type: string }) => e.type === 'PlanSelected',
    );
    expect(selected.map((e: any) => e.data.discounts.some((d: { kind: string }) => d.kind === 'first_order'))).toEqual([true, true]);
  });

  it('records usage once per usageId and draws it from the balance', async () => {
    const { subscriptionId } = await newCard(h);
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody('eu-daily-1gb'), { 'Idempotency-Key': 'usage-1' });
    const first = await h.request('POST', `/v1/subscriptions/${subscriptionId}/usage`, { usageId: 'cdr-1', mb: 300 });
    const replay = await h.request('POST', `/v1/subscriptions/${subscriptionId}/usage`, { usageId: 'cdr-1', mb: 300 });
    expect(first.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(first.body.dataRemainingMb).toBe(724);
    const view = await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${first.body.position}`);
    expect(view.body.dataRemainingMb).toBe(724);
    expect((await eventTypes(h, subscriptionId)).filter((t) => t === 'DataUsageRecorded')).toHaveLength(1);
  });

  it('carries audit metadata on every event, the authenticated owner as its actor', async () => {
    const { subscriptionId, accountId } = await newCard(h);
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), {
      'Idempotency-Key': 'audit-1',
      'X-Correlation-Id': 'corr-42',
    });
    const events = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events;
    const renewalEvents = events.slice(1);
    for (const e of renewalEvents) {
      expect(e.metadata).toMatchObject({ correlationId: 'corr-42', idempotencyKey: 'audit-1', actor: `account:${accountId}` });
      expect(typeof e.metadata.commandId).toBe('string');
    }
    const planSelected = renewalEvents.find((e: { type: string }) => e.type === 'PlanSelected');
    const captured = renewalEvents.find((e: { type: string }) => e.type === 'PaymentCaptured');
    // The capture was caused by the provider's answer, as the renewal's payment process recorded it.
    const process = await h.ledger.storage.store.readStream(`payment-${captured.data.paymentId}`);
    const reported = process.find((e) => e.type === 'ProviderReported' && (e.data as any).payment?.status === 'captured');
    expect(process.map((e) => e.id)).toContain(planSelected.metadata.causationId);
    expect(captured.metadata.causationId).toBe(reported?.id);
  });

  it('answers as-of queries from the events, matching the history by hand', async () => {
    const { subscriptionId } = await newCard(h);
    const url = `/v1/subscriptions/${subscriptionId}`;
    await h.request('POST', `${url}/renewals`, renewalBody(), { 'Idempotency-Key': 'asof-1' });
    await h.request('POST', `${url}/usage`, { usageId: 'asof-u', mb: 300 });
    await h.request('POST', `${url}/renewals`, renewalBody('eu-daily-1gb'), { 'Idempotency-Key': 'asof-2' });
    const events = (await h.request('GET', `${url}/events`)).body.events as { type: string; recordedAt: string; data: any }[];
    const at = (type: string, nth = 0) => events.filter((e) => e.type === type)[nth];
    const asOf = async (iso: string) => (await h.request('GET', `${url}?asOf=${encodeURIComponent(iso)}`)).body;
    const firstExpiry = at('ValidityExtended').data.newExpiry;
    const secondExpiry = new Date(Date.parse(firstExpiry) + 86_400_000).toISOString();

    expect((await asOf(new Date(Date.parse(at('SubscriptionOpened').recordedAt) - 1).toISOString())).code).toBe('SUBSCRIPTION_NOT_FOUND');
    expect(await asOf(at('SubscriptionOpened').recordedAt)).toMatchObject({
      status: 'new',
      dataRemainingMb: 0,
      expiresAt: null,
      plansBought: 0,
    });
    expect(await asOf(at('ValidityExtended').recordedAt)).toMatchObject({
      status: 'active',
      dataRemainingMb: 10240,
      expiresAt: firstExpiry,
      plansBought: 1,
    });
    expect(await asOf(at('DataUsageRecorded').recordedAt)).toMatchObject({ dataRemainingMb: 9940, expiresAt: firstExpiry });
    expect(await asOf(at('ValidityExtended', 1).recordedAt)).toMatchObject({
      dataRemainingMb: 9940 + 1024,
      expiresAt: secondExpiry,
      plansBought: 2,
    });
    expect(await asOf(new Date(Date.parse(secondExpiry) + 1).toISOString())).toMatchObject({
      status: 'expired',
      dataRemainingMb: 0,
      buckets: [],
    });
  });

  it('refuses an asOf that is not an ISO-8601 instant', async () => {
    const { subscriptionId } = await newCard(h);
    const res = await h.request('GET', `/v1/subscriptions/${subscriptionId}?asOf=yesterday`);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', field: 'asOf' });
  });
};
