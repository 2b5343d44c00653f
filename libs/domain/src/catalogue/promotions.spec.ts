import { DomainError, DomainErrorCode } from '../shared/domain-error';
import { money } from '../shared/money';
import { Plan, findPlan } from './plan';
import { DEFAULT_PROMOTIONS, PricingInput, PromotionRules, quotePrice } from './promotions';

const planOf = (planId: string): Plan => {
  const plan = findPlan(planId);
  if (!plan) throw new Error(`fixture plan ${planId} is not in the catalogue`);
  return plan;
};
const EU_DAILY = planOf('eu-daily-1gb');
const EU_MONTHLY = planOf('eu-monthly-10gb');
const US_MONTHLY = planOf('us-monthly-15gb');

const NOW = '2025-06-15T12:00:00.000Z';
const SUMMER: PromotionRules = {
  ...DEFAULT_PROMOTIONS,
  holidays: [{ promotionId: 'summer', from: '2025-06-01T00:00:00.000Z', to: '2025-07-01T00:00:00.000Z', percentOffBp: 5000 }],
};

const quote = (input: Partial<PricingInput> = {}) =>
  quotePrice({ plan: EU_MONTHLY, now: NOW, firstOrderEligible: false, rules: DEFAULT_PROMOTIONS, ...input });
const amounts = (input: Partial<PricingInput>) => {
  const q = quote(input);
  return { discounts: q.discounts.map((d) => [d.promotionId, d.amount.amountMinor]), price: q.price.amountMinor };
};
const refusal = (input: Partial<PricingInput>): DomainErrorCode | 'no error' => {
  try {
    quote(input);
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return 'no error';
};

describe('pricing', () => {
  it('charges the list price when no promotion applies', () => {
    expect(quote()).toEqual({ listPrice: EU_MONTHLY.listPrice, discounts: [], price: EU_MONTHLY.listPrice });
  });

  it('takes 20% off a first order', () => {
    expect(quote({ firstOrderEligible: true })).toEqual({
      listPrice: money(1999, 'EUR'),
      discounts: [{ promotionId: 'first-order', kind: 'first_order', amount: money(400, 'EUR') }],
      price: money(1599, 'EUR'),
    });
  });

  describe('holiday specials', () => {
    it('apply from the first instant of their window', () => {
      expect(amounts({ rules: SUMMER, now: '2025-06-01T00:00:00.000Z' }).discounts).toEqual([['summer', 1000]]);
    });

    it('apply up to the last instant before their window closes', () => {
      expect(amounts({ rules: SUMMER, now: '2025-06-30T23:59:59.999Z' }).discounts).toEqual([['summer', 1000]]);
    });

    it('no longer apply at the instant their window closes', () => {
      expect(amounts({ rules: SUMMER, now: '2025-07-01T00:00:00.000Z' }).discounts).toEqual([]);
    });

    it('do not apply before their window opens', () => {
      expect(amounts({ rules: SUMMER, now: '2025-05-31T23:59:59.999Z' }).discounts).toEqual([]);
    });
  });

  describe('coupons', () => {
    it('take a percentage off the list price', () => {
      expect(amounts({ promotionCode: 'SAVE10' })).toEqual({ discounts: [['coupon:SAVE10', 200]], price: 1799 });
    });

    it('take a fixed amount off the list price', () => {
      expect(amounts({ promotionCode: 'EUR5OFF' })).toEqual({ discounts: [['coupon:EUR5OFF', 500]], price: 1499 });
    });

    it('accept a code in any letter case', () => {
      expect(amounts({ promotionCode: 'save10' }).discounts).toEqual([['coupon:SAVE10', 200]]);
    });

    it('refuse a fixed coupon in another currency than the plan', () => {
      expect(refusal({ plan: US_MONTHLY, promotionCode: 'EUR5OFF' })).toBe('PROMOTION_NOT_APPLICABLE');
    });

    it('refuse an unknown code', () => {
      expect(refusal({ promotionCode: 'FREESTUFF' })).toBe('UNKNOWN_PROMOTION_CODE');
    });
  });

  it('lists stacked discounts in a stable order: first order, holidays, coupon', () => {
    expect(amounts({ rules: SUMMER, firstOrderEligible: true, promotionCode: 'SAVE10' }).discounts.map(([id]) => id)).toEqual([
      'first-order',
      'summer',
      'coupon:SAVE10',
    ]);
  });

  it('computes each stacked discount on the list price, not on the already discounted price', () => {
    expect(amounts({ firstOrderEligible: true, promotionCode: 'SAVE10' })).toEqual({
      discounts: [
        ['first-order', 400],
        ['coupon:SAVE10', 200],
      ],
      price: 1399,
    });
  });

  it('caps stacked discounts so the price never goes below zero', () => {
    expect(amounts({ plan: EU_DAILY, rules: SUMMER, firstOrderEligible: true, promotionCode: 'EUR5OFF' })).toEqual({
      discounts: [
        ['first-order', 60],
        ['summer', 150],
        ['coupon:EUR5OFF', 89],
      ],
      price: 0,
    });
  });

  it('rounds a percentage discount to the nearest minor unit', () => {
    expect(amounts({ plan: EU_DAILY, promotionCode: 'SAVE10' }).discounts).toEqual([['coupon:SAVE10', 30]]);
  });

  it('rounds a percentage discount of exactly half a minor unit up', () => {
    const plan: Plan = { ...EU_DAILY, listPrice: money(25, 'EUR') };
    expect(amounts({ plan, promotionCode: 'SAVE10' })).toEqual({ discounts: [['coupon:SAVE10', 3]], price: 22 });
  });
});
