import { findPlan } from '../catalogue/plan';
import { DEFAULT_PROMOTIONS, quotePrice } from '../catalogue/promotions';
import { addDays } from '../shared/time';
import { SubscriptionCommand } from './subscription.commands';
import { subscriptionDecider } from './subscription.decider';
import { SubscriptionEvent } from './subscription.events';
import { Card } from './subscription.state';
import { validityReminderAt } from './reminders';

const T0 = '2025-03-01T00:00:00.000Z';
const hours = (h: number) => new Date(Date.parse(T0) + h * 3_600_000).toISOString();

/** Runs commands through the real decider, keeping every event. */
const card = () => {
  let state: Card = subscriptionDecider.initialState();
  const events: SubscriptionEvent[] = [];
  const run = (c: SubscriptionCommand) => {
    const out = subscriptionDecider.decide(c, state);
    for (const e of out) state = subscriptionDecider.evolve(state, e);
    events.push(...out);
    return out;
  };
  run({ type: 'OpenSubscription', subscriptionId: 's', accountId: 'a', iccid: '8944000000000000001', region: 'EU', now: T0 });
  const renew = (renewalId: string, planId: string, now: string) => {
    const plan = findPlan(planId)!;
    const quote = quotePrice({ plan, now, firstOrderEligible: false, rules: DEFAULT_PROMOTIONS });
    run({ type: 'SelectPlan', renewalId, plan, quote, paymentMethod: 'card', requestHash: renewalId, now });
    run({
      type: 'RecordPaymentOutcome',
      renewalId,
      outcome: { status: 'captured', paymentId: `p-${renewalId}`, amount: quote.price, providerReference: 'x' },
      now,
    });
  };
  return { run, renew, events, state: () => state };
};
const review = (now: string) => ({ type: 'ReviewCard' as const, now });
const reminders = (events: SubscriptionEvent[]) =>
  events.filter((e) => e.type === 'RenewalReminderDue').map((e) => (e.data as { reminderId: string }).reminderId);

describe('renewal reminders and on-time forfeiture (ReviewCard)', () => {
  it('reminds of low data once per bucket: at 10 % left, and again after a renewal brings a new bucket', () => {
    const c = card();
    c.renew('r1', 'eu-monthly-10gb', T0);
    c.run({ type: 'RecordUsage', usageId: 'u1', mb: 8 * 1024, now: hours(2) });
    // Used eight days ago: out of the pace window, so only the share left decides.
    expect(c.run(review(addDays(T0, 8)))).toEqual([]);
    c.run({ type: 'RecordUsage', usageId: 'u2', mb: 1000, now: addDays(T0, 8) });
    expect(c.run(review(addDays(T0, 16)))).toEqual([]);
    c.run({ type: 'RecordUsage', usageId: 'u3', mb: 25, now: addDays(T0, 16) });
    const [due] = c.run(review(addDays(T0, 17)));
    expect(due).toMatchObject({
      type: 'RenewalReminderDue',
      data: { reminderId: 'low_data:bucket-r1', reason: 'low_data', dataRemainingMb: 1023 },
    });
    expect(c.run(review(addDays(T0, 18)))).toEqual([]);
    c.renew('r2', 'eu-daily-1gb', addDays(T0, 18));
    c.run({ type: 'RecordUsage', usageId: 'u4', mb: 1900, now: addDays(T0, 18) });
    expect(reminders(c.run(review(addDays(T0, 18))))).toEqual(['low_data:bucket-r2']);
  });

  it('reminds when the pace says the data runs out within 2 days, though more than 10 % is left', () => {
    const c = card();
    c.renew('r1', 'eu-monthly-10gb', T0);
    c.run({ type: 'RecordUsage', usageId: 'u1', mb: 3000, now: hours(24) });
    c.run({ type: 'RecordUsage', usageId: 'u2', mb: 3000, now: hours(47) });
    // 6,000 MB in the last two days, 4,240 MB left: under 2 days at this pace.
    const [due] = c.run(review(hours(48)));
    expect(due).toMatchObject({ data: { reason: 'low_data', dataRemainingMb: 4240 } });
    expect(Date.parse((due.data as { dataRunsOutAt: string }).dataRunsOutAt) - Date.parse(hours(48))).toBeLessThan(2 * 86_400_000);
  });

  it('reminds of a validity end 48 hours before it (a quarter of a daily plan before), once per end', () => {
    const c = card();
    c.renew('r1', 'eu-monthly-10gb', T0);
    const end = addDays(T0, 30);
    expect(validityReminderAt(end, 30)).toBe(addDays(T0, 28));
    expect(c.run(review(addDays(T0, 27)))).toEqual([]);
    expect(reminders(c.run(review(addDays(T0, 28))))).toEqual([`validity_ending:${end}`]);
    expect(c.run(review(addDays(T0, 29)))).toEqual([]);

    const daily = card();
    daily.renew('d1', 'eu-daily-1gb', T0);
    expect(daily.run(review(hours(1)))).toEqual([]);
    expect(reminders(daily.run(review(hours(18))))).toEqual([`validity_ending:${addDays(T0, 1)}`]);
  });

  it('says nothing while a renewal is under way, or once validity has ended', () => {
    const c = card();
    c.renew('r1', 'eu-daily-1gb', T0);
    const plan = findPlan('eu-daily-1gb')!;
    const quote = quotePrice({ plan, now: hours(19), firstOrderEligible: false, rules: DEFAULT_PROMOTIONS });
    c.run({ type: 'SelectPlan', renewalId: 'r2', plan, quote, paymentMethod: 'paypal', requestHash: 'r2', now: hours(19) });
    expect(c.run(review(hours(20)))).toEqual([]);
    const other = card();
    other.renew('r1', 'eu-daily-1gb', T0);
    expect(other.run(review(hours(25)))).toEqual([]);
    expect(other.run(review(hours(24 + 7 * 24))).map((e) => e.type)).toEqual(['DataExpired']);
  });

  it('forfeits a bucket once usage measured before its end can no longer arrive, with what was left in it, once', () => {
    const c = card();
    c.renew('r1', 'eu-daily-1gb', T0);
    c.run({ type: 'RecordUsage', usageId: 'u1', mb: 24, now: hours(1) });
    expect(c.run(review(hours(25)))).toEqual([]);
    // Usage measured before the end, reported days later, is still drawn from the bucket.
    c.run({ type: 'RecordUsage', usageId: 'u2', mb: 100, now: hours(23) });
    const out = c.run(review(hours(24 + 7 * 24)));
    expect(out).toEqual([{ type: 'DataExpired', data: { bucketId: 'bucket-r1', mbForfeited: 900, expiredAt: hours(24) } }]);
    expect(c.run(review(hours(24 + 8 * 24)))).toEqual([]);
  });
});
