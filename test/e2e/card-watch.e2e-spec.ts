import { LATE_USAGE_MS } from '@ledger/domain';
import { DEFAULT_RETRY, SqlCheckpointStore } from '@ledger/event-store';
import { CardWatch } from '../../apps/api/src/card-watch/card-watch';
import { Harness, eventTypes, eventually, newCard, recordUsage, renewalBody, startHarness } from './ledger-harness';

/**
 * The card watch in the running app: usage that leaves a card low brings one RenewalReminderDue,
 * shown on the card; a bucket whose time has come is forfeited by the sweep, with no command.
 */
describe('the card watch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { CARD_WATCH_SWEEP_MS: '100' } });
  });
  afterAll(() => h?.close());

  const use = (subscriptionId: string, usageId: string, mb: number) => recordUsage(h, subscriptionId, usageId, mb);
  const reminders = async (subscriptionId: string) =>
    (await eventTypes(h, subscriptionId)).filter((t) => t === 'RenewalReminderDue').length;

  it('reminds a card running low once, however much more is used, and shows it on the card', async () => {
    const { subscriptionId } = await newCard(h);
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'watch-1' });
    await use(subscriptionId, 'w-1', 9 * 1024 + 500);
    expect(
      await eventually(
        () => reminders(subscriptionId),
        (n) => n === 1,
      ),
    ).toBe(1);
    const last = await use(subscriptionId, 'w-2', 100);
    const card = await eventually(
      () => h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${last}`),
      (r) => r.body.reminder !== null,
    );
    expect(card.body.reminder).toMatchObject({ reason: 'low_data', reminderId: expect.stringMatching(/^low_data:bucket-/) });
    expect(card.body.forecast).toMatchObject({ endsFirst: 'data' });
    // The watch has read past the second usage: still one reminder.
    await eventually(
      async () =>
        (await h.ledger.storage.dataSource.query("SELECT position FROM consumer_checkpoint WHERE name = 'card-watch'"))[0]?.position,
      (p) => p !== undefined && BigInt(p) >= BigInt(last),
    );
    expect(await reminders(subscriptionId)).toBe(1);
    // A renewal answers the reminder: the card no longer shows it.
    const renewed = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody('eu-daily-1gb'), {
      'Idempotency-Key': 'watch-2',
    });
    const after = await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${renewed.body.position}`);
    expect(after.body.reminder).toBeNull();
  });

  it('forfeits a bucket once late usage can no longer arrive, without any command on the card, once', async () => {
    const { subscriptionId } = await newCard(h);
    const renewed = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody('eu-daily-1gb'), {
      'Idempotency-Key': 'watch-3',
    });
    await h.request('GET', `/v1/subscriptions/${subscriptionId}?minPosition=${renewed.body.position}`);
    // The same watch a day, a week (late usage may still arrive) and a minute later: its clock is the one thing moved.
    const storage = h.ledger.storage;
    const later = new Date(Date.now() + 86_460_000 + LATE_USAGE_MS);
    const watch = new CardWatch({
      store: storage.store,
      states: storage.states,
      dataSource: storage.dataSource,
      checkpoints: new SqlCheckpointStore(
        { query: async (sql, p) => ({ rows: await storage.dataSource.query(sql, p) }) },
        'consumer_checkpoint',
      ),
      sweepMs: 60_000,
      retry: DEFAULT_RETRY,
      log: { warn: (m) => console.warn(m), error: (m) => console.error(m) },
      now: () => later,
    });
    expect(await watch.sweep()).toBeGreaterThanOrEqual(1);
    const types = await eventTypes(h, subscriptionId);
    expect(types.filter((t) => t === 'DataExpired')).toHaveLength(1);
    await watch.sweep();
    await watch.review(subscriptionId);
    expect((await eventTypes(h, subscriptionId)).filter((t) => t === 'DataExpired')).toHaveLength(1);
    const events = (await h.request('GET', `/v1/subscriptions/${subscriptionId}/events`)).body.events;
    expect(events.find((e: { type: string }) => e.type === 'DataExpired').metadata.actor).toBe('system:card-watch');
  });
});
