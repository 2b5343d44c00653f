import { Harness, newCard, renewalBody, startHarness } from './ledger-harness';

/** The auditor's per-card check over HTTP: the chain recomputed from the stored events, and what it cannot see. */
describe('GET /v1/subscriptions/:id/verification', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('verifies an untouched card, names the event a database edit broke, and keeps other owners out', async () => {
    const { subscriptionId } = await newCard(h);
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'verify-1' });
    const auditor = { authorization: `Bearer ${await h.staffToken('auditor')}` };
    const ok = await h.request('GET', `/v1/subscriptions/${subscriptionId}/verification`, undefined, auditor);
    expect(ok.body).toMatchObject({ streamId: `subscription-${subscriptionId}`, events: 4, verified: true, broken: null });
    expect(ok.body.scope).toMatch(/removed last event .* does not/);

    await h.ledger.storage.eventStorePool!.query(
      `UPDATE es_events SET data = jsonb_set(data, '{dataMbGranted}', '999999') WHERE stream_id = $1 AND type = 'ValidityExtended'`,
      [`subscription-${subscriptionId}`],
    );
    const broken = await h.request('GET', `/v1/subscriptions/${subscriptionId}/verification`, undefined, auditor);
    expect(broken.body).toMatchObject({ verified: false, broken: { revision: 3 } });

    const other = await h.signUp();
    const theirs = await h.request('GET', `/v1/subscriptions/${subscriptionId}/verification`, undefined, {
      authorization: `Bearer ${other.accessToken}`,
    });
    expect(theirs.status).toBe(404);
  });
});
