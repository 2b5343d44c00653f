import { Money, money, percentOf, subtractMoney } from '../shared/money';
import { DomainError } from '../shared/domain-error';
import { Plan } from './plan';

export interface Discount {
  readonly promotionId: string;
  readonly kind: 'first_order' | 'holiday' | 'coupon';
  readonly amount: Money;
}

/** A holiday special applies automatically to every order placed inside its [from, to) window. */
export interface HolidaySpecial {
  readonly promotionId: string;
  readonly from: string;
  readonly to: string;
  readonly percentOffBp: number;
}

export interface Coupon {
  readonly code: string;
  readonly percentOffBp?: number;
  readonly amountOff?: Money;
}

export interface PromotionRules {
  readonly firstOrderPercentOffBp: number;
  readonly holidays: readonly HolidaySpecial[];
  readonly coupons: readonly Coupon[];
}

export const DEFAULT_PROMOTIONS: PromotionRules = {
  firstOrderPercentOffBp: 2000,
  holidays: [],
  coupons: [
    { code: 'SAVE10', percentOffBp: 1000 },
    { code: 'EUR5OFF', amountOff: money(500, 'EUR') },
    { code: 'USD5OFF', amountOff: money(500, 'USD') },
  ],
};

export interface PriceQuote {
  readonly listPrice: Money;
  readonly discounts: readonly Discount[];
  readonly price: Money;
}

export interface PricingInput {
  readonly plan: Plan;
  readonly now: string;
  readonly firstOrderEligible: boolean;
  readonly promotionCode?: string;
  readonly rules: PromotionRules;
}

/**
 * Discounts are each computed on the list price and stacked; the total is capped so the price
 * never goes below zero. Order in the result is stable: first order, holidays, coupon.
 */
export const quotePrice = ({ plan, now, firstOrderEligible, promotionCode, rules }: PricingInput): PriceQuote => {
  const list = plan.listPrice;
  const discounts: Discount[] = [];
  if (firstOrderEligible && rules.firstOrderPercentOffBp > 0) {
    discounts.push({ promotionId: 'first-order', kind: 'first_order', amount: percentOf(list, rules.firstOrderPercentOffBp) });
  }
  const at = Date.parse(now);
  for (const h of rules.holidays) {
    if (at >= Date.parse(h.from) && at < Date.parse(h.to)) {
      discounts.push({ promotionId: h.promotionId, kind: 'holiday', amount: percentOf(list, h.percentOffBp) });
    }
  }
  if (promotionCode !== undefined) discounts.push(couponDiscount(promotionCode, list, rules));
  return capped(list, discounts);
};

const couponDiscount = (code: string, list: Money, rules: PromotionRules): Discount => {
  const coupon = rules.coupons.find((c) => c.code.toUpperCase() === code.toUpperCase());
  if (!coupon) throw new DomainError('UNKNOWN_PROMOTION_CODE', `promotion code ${code} does not exist`, 'promotionCode');
  if (coupon.amountOff && coupon.amountOff.currency !== list.currency) {
    throw new DomainError(
      'PROMOTION_NOT_APPLICABLE',
      `promotion code ${code} is only valid for ${coupon.amountOff.currency} prices`,
      'promotionCode',
    );
  }
  const amount = coupon.amountOff ?? percentOf(list, coupon.percentOffBp ?? 0);
  return { promotionId: `coupon:${coupon.code}`, kind: 'coupon', amount };
};

const capped = (list: Money, discounts: Discount[]): PriceQuote => {
  let remaining = list.amountMinor;
  const applied = discounts.map((d) => {
    const amount = Math.min(d.amount.amountMinor, remaining);
    remaining -= amount;
    return { ...d, amount: money(amount, list.currency) };
  });
  const total = applied.reduce((sum, d) => sum + d.amount.amountMinor, 0);
  return { listPrice: list, discounts: applied, price: subtractMoney(list, money(total, list.currency)) };
};
