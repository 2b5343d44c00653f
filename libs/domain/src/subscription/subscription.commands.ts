import { Plan, Region } from '../catalogue/plan';
import { PriceQuote } from '../catalogue/promotions';
import { Money } from '../shared/money';
import { PaymentMethodType } from './subscription.events';

/** Every command carries its own clock so deciders stay pure and replayable. */
interface Timed {
  readonly now: string;
}

export interface OpenSubscription extends Timed {
  readonly type: 'OpenSubscription';
  readonly subscriptionId: string;
  readonly accountId: string;
  readonly iccid: string;
  readonly region: Region;
}

export interface SelectPlan extends Timed {
  readonly type: 'SelectPlan';
  readonly renewalId: string;
  readonly plan: Plan;
  readonly quote: PriceQuote;
  readonly paymentMethod: PaymentMethodType;
  readonly requestHash: string;
}

export type PaymentOutcome =
  | { readonly status: 'captured'; readonly paymentId: string; readonly amount: Money; readonly providerReference: string }
  | { readonly status: 'failed'; readonly paymentId: string; readonly reason: string };

export interface RecordPaymentOutcome extends Timed {
  readonly type: 'RecordPaymentOutcome';
  readonly renewalId: string;
  readonly outcome: PaymentOutcome;
}

export interface RecordUsage extends Timed {
  readonly type: 'RecordUsage';
  readonly usageId: string;
  readonly mb: number;
}

export type SubscriptionCommand = OpenSubscription | SelectPlan | RecordPaymentOutcome | RecordUsage;
