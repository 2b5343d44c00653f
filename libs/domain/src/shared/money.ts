/** Money is integer minor units plus an ISO 4217 currency; never a float. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export const money = (amountMinor: number, currency: string): Money => {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`amountMinor must be an integer, got ${amountMinor}`);
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`currency must be ISO 4217, got ${currency}`);
  return { amountMinor, currency };
};

const sameCurrency = (a: Money, b: Money): void => {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
};

export const subtractMoney = (a: Money, b: Money): Money => {
  sameCurrency(a, b);
  return money(a.amountMinor - b.amountMinor, a.currency);
};

/** Percentages are whole basis points so that rounding is explicit: half-up on the minor unit. */
export const percentOf = (m: Money, basisPoints: number): Money => money(Math.round((m.amountMinor * basisPoints) / 10_000), m.currency);
