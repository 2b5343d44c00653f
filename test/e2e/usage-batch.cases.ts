import { randomUUID } from 'node:crypto';
import { Harness, StorageFactory, newCard, renewalBody, startHarness } from './ledger-harness';

/**
 * POST /v1/usage, the network's bulk feed; run once per event-store adapter. `storeKnowsEveryId`:
 * the store refuses an event id it holds anywhere (PostgreSQL, PGlite); EventStoreDB does not, so a
 * retry older than the card's last 100 usage records is not recognised there (docs/design.md: Command cost and snapshots).
 */
export const usageBatchCases = (storage: StorageFactory, storeKnowsEveryId = true): void => {
  let h: Harness;
  let cards: string[];
  const post = async (records: object[]) => h.raw('POST', '/v1/usage', { records }, { authorization: `Bearer ${await h.usageToken()}` });
  const view = async (id: string) => (await h.request('GET', `/v1/subscriptions/${id}`)).body;

  beforeAll(async () => {
    h = await startHarness({ storage: await storage() });
    cards = [];
    for (let i = 0; i < 2; i++) {
      const card = await newCard(h);
      const renewed = await h.request('POST', `/v1/subscriptions/${card.subscriptionId}/renewals`, renewalBody('eu-daily-1gb'), {
        'idempotency-key': `seed-${i}`,
      });
      expect(renewed.body.status).toBe('completed');
      cards.push(card.subscriptionId);
    }
  });
  afterAll(() => h.close());

  it('answers each record in the order sent, for several cards at once, and counts each once', async () => {
    const [a, b] = cards;
    const unknown = randomUUID();
    const res = await post([
      { subscriptionId: a, usageId: 'b1', mb: 100 },
      { subscriptionId: b, usageId: 'b1', mb: 10 },
      { subscriptionId: a, usageId: 'b2', mb: 50 },
      { subscriptionId: a, usageId: 'b1', mb: 100 },
      { subscriptionId: a, usageId: 'b2', mb: 51 },
      { subscriptionId: unknown, usageId: 'x', mb: 1 },
      { subscriptionId: b, usageId: 'too-much', mb: 5000 },
      { subscriptionId: b, usageId: 'old', mb: 1, measuredAt: '2020-01-01T00:00:00Z' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'duplicate',
      'USAGE_ID_REUSED',
      'SUBSCRIPTION_NOT_FOUND',
      'INSUFFICIENT_DATA',
      'MEASURED_AT_OUT_OF_RANGE',
    ]);
    expect(res.body).toMatchObject({ accepted: 3, duplicate: 1, refused: 4 });
    expect(res.body.results[7].field).toBe('records[7].measuredAt');
    const again = await post([{ subscriptionId: a, usageId: 'b1', mb: 100 }]);
    expect(again.body.results[0].status).toBe('duplicate');
    const last = res.body.results[2].position;
    const seen = (await h.request('GET', `/v1/subscriptions/${a}?minPosition=${last}`)).body;
    expect(seen.dataRemainingMb).toBe(1024 - 150);
    expect((await view(b)).dataRemainingMb).toBe(1024 - 10);
  });

  (storeKnowsEveryId ? it : it.skip)(
    'recognises a retried record after the card has moved far past it, and does not count it again',
    async () => {
      const [, b] = cards;
      const first = await post([{ subscriptionId: b, usageId: 'early', mb: 1 }]);
      expect(first.body.results[0].status).toBe('accepted');
      // More records than the card keeps in its state: the store recognises the id from here on.
      const later = Array.from({ length: 150 }, (_, i) => ({ subscriptionId: b, usageId: `later-${i}`, mb: 1 }));
      expect((await post(later)).body.accepted).toBe(150);
      // The same MB is the network retrying; another MB under the same id is refused, as within the window.
      for (const [mb, first] of [
        [1, 'duplicate'],
        [7, 'USAGE_ID_REUSED'],
      ] as const) {
        const retried = await post([
          { subscriptionId: b, usageId: 'early', mb },
          { subscriptionId: b, usageId: `fresh-${mb}`, mb: 1 },
        ]);
        expect(retried.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([first, 'accepted']);
      }
      const events = (await h.request('GET', `/v1/subscriptions/${b}/events`)).body.events;
      const early = events.filter(
        (e: { type: string; data: { usageId?: string } }) => e.type === 'DataUsageRecorded' && e.data.usageId === 'early',
      );
      expect(early).toHaveLength(1);
    },
  );

  it('refuses a malformed batch with problem+json naming the field, and stores nothing', async () => {
    const [a] = cards;
    const cases: [unknown, string][] = [
      [{ records: [] }, 'records'],
      [{ records: [{ subscriptionId: a, usageId: 'ok', mb: 0 }] }, 'records.0.mb'],
      [{ records: [{ subscriptionId: 'not-a-uuid', usageId: 'ok', mb: 1 }] }, 'records.0.subscriptionId'],
      [{ records: Array.from({ length: 501 }, (_, i) => ({ subscriptionId: a, usageId: `m${i}`, mb: 1 })) }, 'records'],
    ];
    for (const [body, field] of cases) {
      const res = await h.raw('POST', '/v1/usage', body, { authorization: `Bearer ${await h.usageToken()}` });
      expect(res.contentType).toContain('application/problem+json');
      expect([400, 413]).toContain(res.status);
      if (res.status === 400) expect(JSON.stringify(res.body)).toContain(field);
    }
    const owner = await h.request('POST', '/v1/usage', { records: [{ subscriptionId: a, usageId: 'owner', mb: 1 }] });
    expect([401, 403]).toContain(owner.status);
  });
};
