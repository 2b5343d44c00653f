import { Harness, StorageFactory, newCard, renewalBody, startHarness } from './ledger-harness';
import { HeldProvider } from './held-provider';

/** Parallel renewals of one card, run once per event-store adapter. */
export const concurrencyCases = (storage: StorageFactory): void => {
  let provider: HeldProvider;
  let h: Harness;
  beforeAll(async () => {
    // Charges take a few milliseconds, so concurrent requests overlap inside the pending window.
    h = await startHarness({
      storage: await storage(),
      wrapProvider: (p) => (provider = Object.assign(new HeldProvider(p), { delayMs: 15 })),
    });
  });
  afterAll(() => h.close());

  it('lets exactly one renewal through per pending window and loses no update', async () => {
    const { subscriptionId } = await newCard(h);
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody('eu-daily-1gb'), { 'Idempotency-Key': `race-${i}` }),
      ),
    );
    const completed = attempts.filter((a) => a.status === 201 && a.body.status === 'completed');
    const refused = attempts.filter((a) => a.status === 409);
    expect(completed.length + refused.length).toBe(attempts.length);
    expect(completed.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((r) => ['RENEWAL_IN_PROGRESS', 'CONCURRENCY_CONFLICT'].includes(r.body.code))).toBe(true);

    const events = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events as {
      type: string;
      revision: number;
      data: any;
    }[];
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    // Never two PlanSelected without the first one finishing in between.
    let open = 0;
    for (const e of events) {
      if (e.type === 'PlanSelected') expect(open++).toBe(0);
      if (e.type === 'ValidityExtended' || e.type === 'PaymentFailed') open--;
    }
    const extended = events.filter((e) => e.type === 'ValidityExtended');
    expect(extended).toHaveLength(completed.length);
    expect(events.filter((e) => e.type === 'PaymentCaptured')).toHaveLength(completed.length);
    extended.slice(1).forEach((e, i) => expect(e.data.previousExpiry).toBe(extended[i].data.newExpiry));

    const last = completed.map((c) => BigInt(c.body.position)).reduce((a, b) => (a > b ? a : b));
    const view = await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${last}`);
    expect(view.body.dataRemainingMb).toBe(1024 * completed.length);
    expect(view.body.plansBought).toBe(completed.length);
  });

  it('charges once when the same request is retried in parallel', async () => {
    const { subscriptionId } = await newCard(h);
    const stats = async (): Promise<{ captures: number }> =>
      <Promise<{ captures: number }>>(
        (await fetch(`${h.psp.sandbox.url}/sandbox/stats`, { headers: { authorization: `Bearer ${h.psp.apiKey}` } })).json()
      );
    const capturesBefore = (await stats()).captures;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody('eu-monthly-10gb'), {
          'Idempotency-Key': 'retry-storm',
        }),
      ),
    );
    const ok = answers.filter((a) => a.status === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    ok.forEach((a) => expect(a.body).toMatchObject({ renewalId: ok[0].body.renewalId }));
    const events = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events as { type: string }[];
    expect(events.filter((e) => e.type === 'PlanSelected')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'PaymentCaptured')).toHaveLength(1);
    expect((await stats()).captures - capturesBefore).toBe(1);
    expect(provider.charges).toBeGreaterThanOrEqual(1);
  });
};
