import { findPlan, Region } from '../catalogue/plan';
import { money } from '../shared/money';
import { PlanSelected, SubscriptionEvent } from './subscription.events';

/**
 * PlanSelected as first written (schema v1): a flat price and only the plan id; region, kind, days,
 * data and the discount breakdown came later. Events are immutable, so old shapes are upcast on read.
 */
export interface PlanSelectedV1Data {
  renewalId: string;
  planId: string;
  priceMinor: number;
  currency: string;
  paymentMethod: PlanSelected['data']['paymentMethod'];
  requestHash: string;
  selectedAt: string;
}

const REGION_BY_PREFIX: Record<string, Region> = { eu: 'EU', us: 'US', apac: 'APAC' };

const upcastPlanSelectedV1 = (d: PlanSelectedV1Data): PlanSelected['data'] => {
  const plan = findPlan(d.planId);
  if (!plan) throw new Error(`cannot upcast PlanSelected v1: plan ${d.planId} is not in the catalogue`);
  const price = money(d.priceMinor, d.currency);
  return {
    renewalId: d.renewalId,
    planId: d.planId,
    region: plan.region ?? REGION_BY_PREFIX[d.planId.split('-')[0]],
    kind: plan.kind,
    days: plan.days,
    dataMb: plan.dataMb,
    // v1 stored only what was charged; the list price and promotions behind it were not recorded.
    listPrice: price,
    discounts: [],
    price,
    paymentMethod: d.paymentMethod,
    requestHash: d.requestHash,
    selectedAt: d.selectedAt,
  };
};

/** Brings any stored shape of a subscription event to the current one; current shapes pass through. */
export const upcastSubscriptionEvent = (e: { type: string; data: unknown }): SubscriptionEvent => {
  if (e.type === 'PlanSelected' && e.data !== null && typeof e.data === 'object' && !('price' in e.data)) {
    return { type: 'PlanSelected', data: upcastPlanSelectedV1(e.data as PlanSelectedV1Data) };
  }
  return e as SubscriptionEvent;
};
