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
  | {
      readonly status: 'captured';
      readonly paymentId: string;
      readonly amount: Money;
      readonly providerReference: string;
      /** What the provider keeps, when it says (booked so finance can match its settlement). */
      readonly fee?: Money;
    }
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

export interface RecordPaymentAction extends Timed {
  readonly type: 'RecordPaymentAction';
  readonly renewalId: string;
  readonly paymentId: string;
  readonly action: 'approve' | 'three_d_secure';
  readonly url: string;
}

export interface AbandonRenewal extends Timed {
  readonly type: 'AbandonRenewal';
  readonly renewalId: string;
  readonly paymentId: string;
  readonly reason: string;
}

export interface RecordRefund extends Timed {
  readonly type: 'RecordRefund';
  readonly renewalId: string;
  readonly refundId: string;
  readonly amount: Money;
  readonly reason: string;
}

/** A dispute's state as the provider reports it; reports may arrive late, twice or out of order. */
export interface RecordChargeback extends Timed {
  readonly type: 'RecordChargeback';
  readonly renewalId: string;
  readonly disputeId: string;
  readonly status: 'open' | 'won' | 'lost';
  readonly amount: Money;
}

/** The card watch's look at a card: forfeits buckets whose time has come, and says when a reminder is due. */
export interface ReviewCard extends Timed {
  readonly type: 'ReviewCard';
}

export type SubscriptionCommand =
  | OpenSubscription
  | SelectPlan
  | RecordPaymentOutcome
  | RecordUsage
  | RecordPaymentAction
  | AbandonRenewal
  | RecordRefund
  | RecordChargeback
  | ReviewCard;
