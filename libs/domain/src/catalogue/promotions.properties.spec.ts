import fc from 'fast-check';
import { DomainError } from '../shared/domain-error';
import { money } from '../shared/money';
import { Plan, findPlan } from './plan';
import { Coupon, Discount, PricingInput, PriceQuote, PromotionRules, quotePrice } from './promotions';

const NOW = Date.parse('2025-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const CODES = ['SPRING', 'SUMMER', 'WELCOME'] as const;
const BASE_PLAN = findPlan('eu-monthly-10gb') as Plan;

const currency = fc.constantFrom('EUR', 'USD');
const basisPoints = fc.integer({ min: 0, max: 10_000 });
const iso = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString();

const holidays = fc
  .array(
    fc.tuple(fc.integer({ min: -30 * DAY, max: 30 * DAY }), fc.integer({ min: 1, max: 30 * DAY }), fc.integer({ min: 1, max: 10_000 })),
    { maxLength: 4 },
  )
  .map((windows) =>
    windows.map(([start, length, percentOffBp], i) => ({
      promotionId: `holiday-${i}`,
      from: iso(start),
      to: iso(start + length),
      percentOffBp,
    })),
  );

const coupon = (code: string): fc.Arbitrary<Coupon> =>
  fc.oneof(
    basisPoints.map((percentOffBp) => ({ code, percentOffBp })),
    fc.tuple(fc.integer({ min: 0, max: 100_000 }), currency).map(([amount, cur]) => ({ code, amountOff: money(amount, cur) })),
  );

const rules: fc.Arbitrary<PromotionRules> = fc.record({
  firstOrderPercentOffBp: basisPoints,
  holidays,
  coupons: fc.subarray([...CODES]).chain((codes) => fc.tuple(...codes.map(coupon))),
});

const input: fc.Arbitrary<PricingInput> = fc.record({
  plan: fc
    .tuple(fc.integer({ min: 0, max: 1_000_000 }), currency)
    .map(([amount, cur]): Plan => ({ ...BASE_PLAN, listPrice: money(amount, cur) })),
  now: fc.integer({ min: -40 * DAY, max: 40 * DAY }).map(iso),
  firstOrderEligible: fc.boolean(),
  promotionCode: fc.option(fc.constantFrom(...CODES, 'welcome', 'UNKNOWN'), { nil: undefined }),
  rules,
});

/** Quotes, or returns null when the code is refused: only the two promotion refusals are acceptable. */
const quoteOrRefusal = (i: PricingInput): PriceQuote | null => {
  try {
    return quotePrice(i);
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'UNKNOWN_PROMOTION_CODE' || error.code === 'PROMOTION_NOT_APPLICABLE')) return null;
    throw error;
  }
};

const total = (discounts: readonly Discount[]): number => discounts.reduce((sum, d) => sum + d.amount.amountMinor, 0);

const percentOffOf = (d: Discount, r: PromotionRules): number | undefined => {
  if (d.kind === 'first_order') return r.firstOrderPercentOffBp;
  if (d.kind === 'holiday') return r.holidays.find((h) => h.promotionId === d.promotionId)?.percentOffBp;
  return r.coupons.find((c) => `coupon:${c.code}` === d.promotionId)?.percentOffBp;
};

const RUNS = { numRuns: 500 };

describe('pricing properties', () => {
  it('prices at the list price minus the discounts, never below zero', () => {
    fc.assert(
      fc.property(input, (i) => {
        const q = quoteOrRefusal(i);
        if (!q) return;
        expect(q.listPrice).toEqual(i.plan.listPrice);
        expect(q.price.currency).toBe(i.plan.listPrice.currency);
        expect(q.price.amountMinor).toBe(q.listPrice.amountMinor - total(q.discounts));
        expect(q.price.amountMinor).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('grants only whole, non-negative discounts in the currency of the plan', () => {
    fc.assert(
      fc.property(input, (i) => {
        const q = quoteOrRefusal(i);
        if (!q) return;
        const bad = q.discounts.filter(
          (d) => !Number.isSafeInteger(d.amount.amountMinor) || d.amount.amountMinor < 0 || d.amount.currency !== i.plan.listPrice.currency,
        );
        expect(bad).toEqual([]);
      }),
      RUNS,
    );
  });

  it('rounds each uncapped percentage discount to within half a minor unit', () => {
    fc.assert(
      fc.property(input, (i) => {
        const q = quoteOrRefusal(i);
        if (!q || q.price.amountMinor === 0) return;
        for (const d of q.discounts) {
          const bp = percentOffOf(d, i.rules);
          if (bp === undefined) continue;
          const exact = (i.plan.listPrice.amountMinor * bp) / 10_000;
          expect(Math.abs(d.amount.amountMinor - exact)).toBeLessThanOrEqual(0.5);
        }
      }),
      RUNS,
    );
  });

  it('never raises the price when a coupon or the first-order discount is added', () => {
    fc.assert(
      fc.property(input, (i) => {
        const withAll = quoteOrRefusal({ ...i, firstOrderEligible: true });
        if (!withAll) return;
        const without = quotePrice({ ...i, firstOrderEligible: false, promotionCode: undefined });
        expect(withAll.price.amountMinor).toBeLessThanOrEqual(without.price.amountMinor);
      }),
      RUNS,
    );
  });
});
