import fc from 'fast-check';
import { REGIONS, Region, plansInRegion } from '../catalogue/plan';
import { DEFAULT_PROMOTIONS, quotePrice } from '../catalogue/promotions';
import { DomainError } from '../shared/domain-error';
import { SubscriptionCommand } from './subscription.commands';
import { decide } from './subscription.decider';
import { SubscriptionEvent } from './subscription.events';
import { ActiveCard, Card, dataRemainingMb, evolve } from './subscription.state';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Step =
  | { kind: 'renew'; advanceMs: number; plan: number; foreign: boolean; reuse: number | null; otherBody: boolean; firstOrder: boolean }
  | { kind: 'capture' | 'fail'; advanceMs: number; target: number }
  | { kind: 'use'; advanceMs: number; mb: number | null; percentOfRemaining: number; reuse: number | null };

// Mostly small steps, sometimes days, now and then a jump far past any plan's expiry.
const advanceMs = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 6 * HOUR }), weight: 6 },
  { arbitrary: fc.integer({ min: 0, max: 10 * DAY }), weight: 2 },
  { arbitrary: fc.integer({ min: 31 * DAY, max: 400 * DAY }), weight: 1 },
);
const pick = fc.nat({ max: 1_000 });
const rarely = fc.nat({ max: 9 }).map((n) => n === 0);
const sometimes = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: arb, weight: 1 });

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('renew' as const),
      advanceMs,
      plan: pick,
      foreign: rarely,
      reuse: sometimes(pick),
      otherBody: fc.boolean(),
      firstOrder: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('capture' as const), advanceMs, target: pick }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('fail' as const), advanceMs, target: pick }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('use' as const),
      advanceMs,
      // Absolute amounts rarely fit the card; a share of what is left (sometimes over 100%) does.
      mb: sometimes(fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 200_000 }))),
      percentOfRemaining: fc.integer({ min: 0, max: 110 }),
      reuse: sometimes(pick),
    }),
    weight: 4,
  },
);
const scenario = fc.record({ region: fc.constantFrom(...REGIONS), steps: fc.array(step, { minLength: 10, maxLength: 40 }) });

interface Transition {
  readonly command: SubscriptionCommand;
  readonly before: ActiveCard;
  /** Null when the decider refused the command with a DomainError. */
  readonly decided: SubscriptionEvent[] | null;
  readonly after: ActiveCard;
  readonly log: readonly SubscriptionEvent[];
}

const nth = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

const toCommand = (st: Step, s: ActiveCard, now: string, fresh: number): SubscriptionCommand => {
  switch (st.kind) {
    case 'renew': {
      const region: Region = st.foreign ? REGIONS[(REGIONS.indexOf(s.region) + 1) % REGIONS.length] : s.region;
      const plans = plansInRegion(region);
      const plan = plans[st.plan % plans.length];
      const renewalId = (st.reuse !== null && nth(Object.keys(s.renewals), st.reuse)) || `r${fresh}`;
      const quote = quotePrice({ plan, now, firstOrderEligible: st.firstOrder, rules: DEFAULT_PROMOTIONS });
      const requestHash = st.otherBody ? `other-${fresh}` : `hash-${renewalId}`;
      return { type: 'SelectPlan', renewalId, plan, quote, paymentMethod: 'card', requestHash, now };
    }
    case 'capture':
    case 'fail': {
      const renewalId = s.pendingRenewalId ?? nth(Object.keys(s.renewals), st.target) ?? 'r-unknown';
      const paymentId = `pay-${fresh}`;
      const amount = s.renewals[renewalId]?.price ?? { amountMinor: 1, currency: 'EUR' };
      const outcome =
        st.kind === 'capture'
          ? { status: 'captured' as const, paymentId, amount, providerReference: `ref-${fresh}` }
          : { status: 'failed' as const, paymentId, reason: 'card_declined' };
      return { type: 'RecordPaymentOutcome', renewalId, outcome, now };
    }
    case 'use': {
      const usageId =
        (st.reuse !== null &&
          nth(
            s.recentUsage.map(([id]) => id),
            st.reuse,
          )) ||
        `u${fresh}`;
      const mb = st.mb ?? Math.round((dataRemainingMb(s) * st.percentOfRemaining) / 100);
      return { type: 'RecordUsage', usageId, mb, now };
    }
  }
};

/** Runs the steps through decide/evolve; commands the decider refuses leave the card as it was. */
const replay = (region: Region, steps: readonly Step[]): Transition[] => {
  const log: SubscriptionEvent[] = [
    {
      type: 'SubscriptionOpened',
      data: { subscriptionId: 'sub-1', accountId: 'acc-1', iccid: '8944000000000000001', region, openedAt: new Date(T0).toISOString() },
    },
  ];
  let card = log.reduce(evolve, { status: 'Unopened' } as Card) as ActiveCard;
  let clock = T0;
  return steps.map((st, i) => {
    clock += st.advanceMs;
    const command = toCommand(st, card, new Date(clock).toISOString(), i);
    const before = card;
    let decided: SubscriptionEvent[] | null;
    try {
      decided = decide(command, before);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      decided = null;
    }
    if (decided) log.push(...decided);
    card = (decided ?? []).reduce(evolve, before as Card) as ActiveCard;
    return { command, before, decided, after: card, log: [...log] };
  });
};

const sum = (ns: readonly number[]): number => ns.reduce((a, b) => a + b, 0);

const forEveryStep = (check: (t: Transition) => void) =>
  fc.assert(
    fc.property(scenario, ({ region, steps }) => replay(region, steps).forEach(check)),
    { numRuns: 200 },
  );

describe('subscription properties', () => {
  it('conserves data: granted = used + remaining + forfeited, and the totals match the events', () => {
    forEveryStep(({ after, log }) => {
      const granted = sum(log.flatMap((e) => (e.type === 'ValidityExtended' ? [e.data.dataMbGranted] : [])));
      const used = sum(log.flatMap((e) => (e.type === 'DataUsageRecorded' ? [e.data.mb] : [])));
      const forfeited = sum(log.flatMap((e) => (e.type === 'DataExpired' ? [e.data.mbForfeited] : [])));
      expect(after.totals).toEqual({ grantedMb: granted, usedMb: used, forfeitedMb: forfeited, revokedMb: 0 });
      expect(used + dataRemainingMb(after) + forfeited).toBe(granted);
    });
  });

  it('keeps every bucket between empty and what it was granted, net of what was drawn from it', () => {
    forEveryStep(({ after, log }) => {
      const drawn = (bucketId: string) =>
        sum(
          log.flatMap((e) => (e.type === 'DataUsageRecorded' ? e.data.from.filter((f) => f.bucketId === bucketId).map((f) => f.mb) : [])),
        );
      const broken = after.buckets.filter(
        (b) => b.mbRemaining < 0 || b.mbRemaining > b.mbGranted || b.mbRemaining !== b.mbGranted - drawn(b.bucketId),
      );
      expect(broken).toEqual([]);
    });
  });

  it('never moves the expiry backwards', () => {
    forEveryStep(({ before, after }) => {
      if (before.expiresAt === null) return;
      expect(after.expiresAt).not.toBeNull();
      expect(Date.parse(after.expiresAt as string)).toBeGreaterThanOrEqual(Date.parse(before.expiresAt));
    });
  });

  it('pairs every captured payment with exactly one validity extension for the same renewal', () => {
    forEveryStep(({ log }) => {
      const unpaired = log.filter((e, i) => {
        if (e.type === 'PaymentCaptured') {
          const next = log[i + 1];
          return next?.type !== 'ValidityExtended' || next.data.renewalId !== e.data.renewalId;
        }
        if (e.type === 'ValidityExtended') {
          const previous = log[i - 1];
          return previous?.type !== 'PaymentCaptured' || previous.data.renewalId !== e.data.renewalId;
        }
        return false;
      });
      const captures = log.flatMap((e) => (e.type === 'PaymentCaptured' ? [e.data.renewalId] : []));
      expect(unpaired).toEqual([]);
      expect(new Set(captures).size).toBe(captures.length);
    });
  });

  it('forfeits expired buckets before deciding a plan, a capture or a usage', () => {
    forEveryStep(({ command, decided, after }) => {
      const decisive = decided?.some((e) => e.type === 'PlanSelected' || e.type === 'PaymentCaptured' || e.type === 'DataUsageRecorded');
      if (!decisive) return;
      expect(after.buckets.filter((b) => Date.parse(b.expiresAt) <= Date.parse(command.now))).toEqual([]);
    });
  });

  it('decides nothing when an accepted command is retried', () => {
    forEveryStep(({ command, decided, after }) => {
      if (decided && decided.length > 0) expect(decide(command, after)).toEqual([]);
    });
  });

  it('generates histories that stack renewals, fail payments, split usage and forfeit part-used data', () => {
    const seen = { PlanSelected: 0, PaymentFailed: 0, stacked: 0, splitUsage: 0, partForfeit: 0 };
    for (const { region, steps } of fc.sample(scenario, { numRuns: 200, seed: 42 })) {
      for (const { command, before, decided } of replay(region, steps)) {
        for (const e of decided ?? []) {
          if (e.type === 'PlanSelected' || e.type === 'PaymentFailed') seen[e.type] += 1;
          if (
            e.type === 'ValidityExtended' &&
            e.data.previousExpiry !== null &&
            Date.parse(e.data.previousExpiry) > Date.parse(command.now)
          ) {
            seen.stacked += 1;
          }
          if (e.type === 'DataUsageRecorded' && e.data.from.length > 1) seen.splitUsage += 1;
          if (
            e.type === 'DataExpired' &&
            e.data.mbForfeited < (before.buckets.find((b) => b.bucketId === e.data.bucketId)?.mbGranted ?? 0)
          ) {
            seen.partForfeit += 1;
          }
        }
      }
    }
    expect(Object.entries(seen).filter(([, n]) => n < 10)).toEqual([]);
  });
});
