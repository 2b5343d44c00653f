import fc from 'fast-check';
import { plansInRegion } from '../catalogue/plan';
import { DEFAULT_PROMOTIONS, quotePrice } from '../catalogue/promotions';
import { DomainError } from '../shared/domain-error';
import { SubscriptionCommand } from './subscription.commands';
import { decide } from './subscription.decider';
import { SubscriptionEvent } from './subscription.events';
import { ActiveCard, Card, dataRemainingMb, evolve } from './subscription.state';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const PLANS = plansInRegion('EU');

type Step =
  | { kind: 'renew'; advanceMs: number; plan: number }
  | { kind: 'use'; advanceMs: number; percent: number }
  | { kind: 'refund'; advanceMs: number; target: number; percent: number; repeat: boolean }
  | { kind: 'chargeback'; advanceMs: number; target: number; outcome: 'open' | 'won' | 'lost'; dispute: number };

const advanceMs = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 12 * HOUR }), weight: 5 },
  { arbitrary: fc.integer({ min: 0, max: 40 * 24 * HOUR }), weight: 1 },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('renew' as const), advanceMs, plan: fc.nat({ max: 100 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('use' as const), advanceMs, percent: fc.integer({ min: 0, max: 100 }) }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      advanceMs,
      target: fc.nat({ max: 100 }),
      percent: fc.integer({ min: 1, max: 120 }),
      repeat: fc.boolean(),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('chargeback' as const),
      advanceMs,
      target: fc.nat({ max: 100 }),
      outcome: fc.constantFrom('open' as const, 'won' as const, 'lost' as const),
      dispute: fc.nat({ max: 2 }),
    }),
    weight: 1,
  },
);

interface Transition {
  readonly before: Card;
  readonly after: ActiveCard;
  readonly events: SubscriptionEvent[];
  readonly now: string;
}

/** A card's life with renewals, usage, refunds and chargebacks (some refused, some repeated), step by step. */
const replay = (steps: Step[]): Transition[] => {
  let now = T0;
  let state: Card = evolve(
    { status: 'Unopened' },
    {
      type: 'SubscriptionOpened',
      data: { subscriptionId: 's', accountId: 'a', iccid: '8949020000000000001', region: 'EU', openedAt: new Date(T0).toISOString() },
    },
  );
  const out: Transition[] = [];
  let n = 0;
  const run = (command: SubscriptionCommand, iso: string) => {
    try {
      const events = decide(command, state);
      const before = state;
      state = events.reduce(evolve, state);
      out.push({ before, after: state as ActiveCard, events, now: iso });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  };
  for (const s of steps) {
    now += s.advanceMs;
    const iso = new Date(now).toISOString();
    const card = state as ActiveCard;
    const completed = Object.values(card.renewals).filter((r) => r.status === 'completed');
    if (s.kind === 'renew') {
      const plan = PLANS[s.plan % PLANS.length];
      const renewalId = `r${n++}`;
      const quote = quotePrice({ plan, now: iso, firstOrderEligible: false, rules: DEFAULT_PROMOTIONS });
      run({ type: 'SelectPlan', renewalId, plan, quote, paymentMethod: 'card', requestHash: renewalId, now: iso }, iso);
      run(
        {
          type: 'RecordPaymentOutcome',
          renewalId,
          outcome: { status: 'captured', paymentId: `p-${renewalId}`, amount: quote.price, providerReference: 'x' },
          now: iso,
        },
        iso,
      );
    } else if (s.kind === 'use') {
      const mb = Math.floor((dataRemainingMb(card) * s.percent) / 100);
      run({ type: 'RecordUsage', usageId: `u${n++}`, mb, now: iso }, iso);
    } else if (completed.length) {
      const r = completed[s.target % completed.length];
      if (s.kind === 'refund') {
        const amount = { amountMinor: Math.max(1, Math.floor((r.price.amountMinor * s.percent) / 100)), currency: r.price.currency };
        const refundId = s.repeat && r.compensation!.refundIds.length ? r.compensation!.refundIds[0] : `rf${n++}`;
        run({ type: 'RecordRefund', renewalId: r.renewalId, refundId, amount, reason: 'test', now: iso }, iso);
      } else {
        const disputeId = `dp-${r.renewalId}-${s.dispute}`;
        run({ type: 'RecordChargeback', renewalId: r.renewalId, disputeId, status: s.outcome, amount: r.price, now: iso }, iso);
      }
    }
  }
  return out;
};

const forEvery = (check: (t: Transition) => void) =>
  fc.assert(
    fc.property(fc.array(step, { minLength: 5, maxLength: 40 }), (steps) => replay(steps).forEach(check)),
    { numRuns: 300 },
  );

describe('refunds and chargebacks: conservation', () => {
  it('conserves MB: granted = used + forfeited + revoked + remaining, and no bucket goes negative', () =>
    forEvery(({ after }) => {
      const t = after.totals;
      expect(t.grantedMb).toBe(t.usedMb + t.forfeitedMb + t.revokedMb + dataRemainingMb(after));
      for (const b of after.buckets) expect(b.mbRemaining).toBeGreaterThanOrEqual(0);
    }));

  it('never takes back data already used, nor more than a bucket holds', () =>
    forEvery(({ before, after, events }) => {
      expect(after.totals.usedMb).toBeGreaterThanOrEqual((before as ActiveCard).totals.usedMb);
      for (const e of events) {
        if (e.type !== 'EntitlementRevoked') continue;
        const bucket = (before as ActiveCard).buckets.find((b) => b.bucketId === e.data.bucketId);
        expect(e.data.mbRevoked).toBeLessThanOrEqual(bucket?.mbRemaining ?? 0);
      }
    }));

  it('conserves money: refunds and lost chargebacks of a payment never exceed it, and refundedTotal is their sum', () =>
    forEvery(({ after, events }) => {
      for (const r of Object.values(after.renewals)) {
        const c = r.compensation;
        if (!c) continue;
        expect(c.refundedMinor + c.lostMinor).toBeLessThanOrEqual(c.paidMinor);
      }
      for (const e of events) {
        if (e.type !== 'PaymentRefunded') continue;
        const c = after.renewals[e.data.renewalId].compensation!;
        expect(e.data.refundedTotal.amountMinor).toBe(c.refundedMinor);
      }
    }));

  it('keeps the share of a grant still paid for, never less than what was used of it', () =>
    forEvery(({ after }) => {
      for (const r of Object.values(after.renewals)) {
        const c = r.compensation;
        const g = r.grant;
        if (!c || !g) continue;
        const bucket = after.buckets.find((b) => b.bucketId === g.bucketId);
        if (!bucket) continue;
        if (c.refundedMinor + c.lostMinor === 0) {
          expect(c.revokedMb).toBe(0);
          continue;
        }
        const kept = Math.max(0, c.paidMinor - c.refundedMinor - c.lostMinor);
        const used = g.mbGranted - c.revokedMb - bucket.mbRemaining;
        expect(bucket.mbRemaining).toBe(Math.max(0, Math.floor((g.mbGranted * kept) / c.paidMinor) - used));
      }
    }));

  it('answers every refund and every lost chargeback with exactly one revocation naming it', () =>
    forEvery(({ events }) => {
      const causes = events.flatMap((e) =>
        e.type === 'PaymentRefunded'
          ? [e.data.refundId]
          : e.type === 'ChargebackResolved' && e.data.outcome === 'lost'
            ? [e.data.disputeId]
            : [],
      );
      const revoked = events.flatMap((e) => (e.type === 'EntitlementRevoked' ? [e.data.causeId] : []));
      expect(revoked).toEqual(causes);
    }));

  it('moves the expiry back only by a revocation, and never to before its moment', () =>
    forEvery(({ before, after, events, now }) => {
      const prev = (before as ActiveCard).expiresAt;
      if (prev && after.expiresAt && Date.parse(after.expiresAt) < Date.parse(prev)) {
        expect(events.some((e) => e.type === 'EntitlementRevoked')).toBe(true);
        expect(Date.parse(after.expiresAt)).toBeGreaterThanOrEqual(Math.min(Date.parse(now), Date.parse(prev)));
      }
    }));

  it('answers a repeated refund or dispute report with nothing new', () =>
    forEvery(({ events, before, after }) => {
      for (const e of events) {
        if (e.type === 'PaymentRefunded')
          expect((before as ActiveCard).renewals[e.data.renewalId].compensation!.refundIds).not.toContain(e.data.refundId);
        if (e.type === 'ChargebackOpened')
          expect((before as ActiveCard).renewals[e.data.renewalId].compensation!.disputes[e.data.disputeId]).toBeUndefined();
      }
      expect(after.status).toBe('Active');
    }));
});
