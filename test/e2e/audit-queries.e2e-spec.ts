import { eventLeaf, treeHash, verifyInclusion } from '@ledger/event-store';
import { Harness, eventually, newCard, renewalBody, startHarness } from './ledger-harness';

/** Auditors across cards: by actor and correlation id, by account, paginated; nobody else. */
describe('GET /v1/audit/events', () => {
  let h: Harness;
  let auditor: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    auditor = { authorization: `Bearer ${await h.staffToken('auditor')}` };
  });
  afterAll(() => h?.close());

  it('answers by actor and by correlation id across cards and streams, in log order, a page at a time', async () => {
    const a1 = await newCard(h);
    const a2 = await h.request('POST', '/v1/subscriptions', {
      accountId: a1.accountId,
      iccid: `89490299${String(Date.now()).slice(-11)}`,
      region: 'EU',
    });
    const b = await newCard(h);
    const renewed = await h.request('POST', `/v1/subscriptions/${a1.subscriptionId}/renewals`, renewalBody(), {
      'Idempotency-Key': 'audit-q',
      'X-Correlation-Id': 'corr-audit-q',
      authorization: `Bearer ${a1.owner.accessToken}`,
    });
    expect(renewed.body.status).toBe('completed');
    await h.request('POST', `/v1/subscriptions/${b.subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'audit-q-b' });

    const byActor = await eventually(
      () => h.request('GET', `/v1/audit/events?actor=account:${a1.accountId}&limit=1000`, undefined, auditor),
      (r) => r.body.events?.some((e: { type: string }) => e.type === 'ValidityExtended'),
    );
    const cards = new Set(byActor.body.events.map((e: { subscriptionId: string | null }) => e.subscriptionId).filter(Boolean));
    expect(cards).toEqual(new Set([a1.subscriptionId, a2.body.subscriptionId]));
    expect(byActor.body.events.every((e: { actor: string }) => e.actor === `account:${a1.accountId}`)).toBe(true);
    const positions = byActor.body.events.map((e: { position: string }) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((x: bigint, y: bigint) => (x < y ? -1 : 1)));

    const byCorrelation = await h.request('GET', '/v1/audit/events?correlationId=corr-audit-q', undefined, auditor);
    const streams = new Set(byCorrelation.body.events.map((e: { streamId: string }) => e.streamId.split('-')[0]));
    expect(streams).toEqual(new Set(['subscription', 'payment', 'account']));
    expect(byCorrelation.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['PlanSelected', 'PaymentCaptured', 'ValidityExtended']),
    );

    const window = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const inWindow = await h.request('GET', `/v1/audit/events?type=ValidityExtended&${window}`, undefined, auditor);
    expect(inWindow.body.events.map((e: { subscriptionId: string }) => e.subscriptionId)).toEqual(
      expect.arrayContaining([a1.subscriptionId, b.subscriptionId]),
    );
    const before = await h.request('GET', `/v1/audit/events?type=ValidityExtended&to=2000-01-01T00:00:00Z`, undefined, auditor);
    expect(before.body.events).toEqual([]);
    const byAccount = await h.request('GET', `/v1/audit/events?accountId=${b.accountId}&type=ValidityExtended`, undefined, auditor);
    expect(byAccount.body.events.map((e: { subscriptionId: string }) => e.subscriptionId)).toEqual([b.subscriptionId]);

    // Pages of two follow on from one another, with nothing repeated or left out.
    const all = byActor.body.events.map((e: { eventId: string }) => e.eventId);
    const paged: string[] = [];
    let after = '';
    for (;;) {
      const page = await h.request(
        'GET',
        `/v1/audit/events?actor=account:${a1.accountId}&limit=2${after ? `&after=${after}` : ''}`,
        undefined,
        auditor,
      );
      paged.push(...page.body.events.map((e: { eventId: string }) => e.eventId));
      if (!page.body.next) break;
      after = page.body.next;
    }
    expect(paged).toEqual(all);
  });

  it("proves an event's inclusion in the log's tree, now or at an earlier checkpoint's size", async () => {
    const { subscriptionId } = await newCard(h);
    const log = await h.ledger.storage.stored.readAll({ limit: 100_000 });
    const opened = log.find((e) => e.streamId === `subscription-${subscriptionId}`)!;
    const leaves = log.map(eventLeaf);
    const now = await h.request('GET', `/v1/audit/events/${opened.id}/proof`, undefined, auditor);
    expect(now.body).toMatchObject({
      size: log.length,
      root: treeHash(leaves).toString('base64'),
      event: { id: opened.id, type: 'SubscriptionOpened' },
    });
    const proof = (r: { body: { proof: string[] } }) => r.body.proof.map((p) => Buffer.from(p, 'base64'));
    expect(verifyInclusion(now.body.index, now.body.size, eventLeaf(opened), proof(now), treeHash(leaves))).toBe(true);
    // The same event in the tree of an earlier checkpoint that already held it.
    const size = now.body.index + 1;
    const then = await h.request('GET', `/v1/audit/events/${opened.id}/proof?size=${size}`, undefined, auditor);
    expect(verifyInclusion(then.body.index, size, eventLeaf(opened), proof(then), treeHash(leaves, 0, size))).toBe(true);
    expect((await h.request('GET', `/v1/audit/events/${opened.id}/proof?size=${now.body.index}`, undefined, auditor)).body.code).toBe(
      'EVENT_NOT_FOUND',
    );
    const unknown = await h.request('GET', `/v1/audit/events/00000000-0000-4000-8000-000000000000/proof`, undefined, auditor);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'EVENT_NOT_FOUND']);
  });

  it('is for auditors only, and names a bad filter', async () => {
    const owner = await h.signUp();
    expect((await h.request('GET', '/v1/audit/events', undefined, { authorization: `Bearer ${owner.accessToken}` })).status).toBe(403);
    expect(
      (await h.request('GET', '/v1/audit/events', undefined, { authorization: `Bearer ${await h.staffToken('support')}` })).status,
    ).toBe(403);
    const bad = await h.request('GET', '/v1/audit/events?from=yesterday', undefined, auditor);
    expect([bad.status, bad.body.field]).toEqual([400, 'from']);
    const limit = await h.request('GET', '/v1/audit/events?limit=5000', undefined, auditor);
    expect([limit.status, limit.body.field]).toEqual([400, 'limit']);
  });
});
