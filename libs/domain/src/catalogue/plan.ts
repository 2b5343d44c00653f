import { Money, money } from '../shared/money';

export type PlanKind = 'daily' | 'monthly' | 'annual';
export const REGIONS = ['EU', 'US', 'APAC'] as const;
export type Region = (typeof REGIONS)[number];

export interface Plan {
  readonly planId: string;
  readonly region: Region;
  readonly kind: PlanKind;
  readonly days: number;
  readonly dataMb: number;
  readonly listPrice: Money;
}

const DAYS: Record<PlanKind, number> = { daily: 1, monthly: 30, annual: 365 };

const plan = (region: Region, kind: PlanKind, dataMb: number, amountMinor: number, currency: string): Plan => ({
  planId: `${region.toLowerCase()}-${kind}-${dataMb >= 1024 ? `${dataMb / 1024}gb` : `${dataMb}mb`}`,
  region,
  kind,
  days: DAYS[kind],
  dataMb,
  listPrice: money(amountMinor, currency),
});

/** The plans on sale. Prices are list prices before promotions. */
export const PLAN_CATALOGUE: readonly Plan[] = [
  plan('EU', 'daily', 1024, 299, 'EUR'),
  plan('EU', 'monthly', 10240, 1999, 'EUR'),
  plan('EU', 'annual', 102400, 17900, 'EUR'),
  plan('US', 'daily', 1024, 399, 'USD'),
  plan('US', 'monthly', 15360, 2499, 'USD'),
  plan('US', 'annual', 153600, 22900, 'USD'),
  plan('APAC', 'daily', 512, 249, 'USD'),
  plan('APAC', 'monthly', 8192, 1799, 'USD'),
  plan('APAC', 'annual', 81920, 15900, 'USD'),
];

export const findPlan = (planId: string, catalogue: readonly Plan[] = PLAN_CATALOGUE): Plan | undefined =>
  catalogue.find((p) => p.planId === planId);

export const plansInRegion = (region: Region, catalogue: readonly Plan[] = PLAN_CATALOGUE): Plan[] =>
  catalogue.filter((p) => p.region === region);

export const isRegion = (value: string): value is Region => (REGIONS as readonly string[]).includes(value);
