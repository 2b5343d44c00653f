import { DomainEvent } from '../shared/event';
import { Money } from '../shared/money';
import { Discount } from '../catalogue/promotions';
import { PlanKind, Region } from '../catalogue/plan';

export type PaymentMethodType = 'card' | 'paypal' | 'apple_pay';

export type SubscriptionOpened = DomainEvent<
  'SubscriptionOpened',
  { subscriptionId: string; accountId: string; iccid: string; region: Region; openedAt: string }
>;

/** `requestHash` fingerprints the request body so a reused idempotency key with a new body is refused. */
export type PlanSelected = DomainEvent<
  'PlanSelected',
  {
    renewalId: string;
    planId: string;
    region: Region;
    kind: PlanKind;
    days: number;
    dataMb: number;
    listPrice: Money;
    discounts: Discount[];
    price: Money;
    paymentMethod: PaymentMethodType;
    requestHash: string;
    selectedAt: string;
  }
>;

export type PaymentCaptured = DomainEvent<
  'PaymentCaptured',
  { renewalId: string; paymentId: string; amount: Money; method: PaymentMethodType; providerReference: string; capturedAt: string }
>;

export type PaymentFailed = DomainEvent<'PaymentFailed', { renewalId: string; paymentId: string; reason: string; failedAt: string }>;

export type ValidityExtended = DomainEvent<
  'ValidityExtended',
  { renewalId: string; previousExpiry: string | null; newExpiry: string; dataMbGranted: number; bucketId: string }
>;

export interface BucketDraw {
  bucketId: string;
  mb: number;
}

export type DataUsageRecorded = DomainEvent<'DataUsageRecorded', { usageId: string; mb: number; from: BucketDraw[]; recordedAt: string }>;

export type DataExpired = DomainEvent<'DataExpired', { bucketId: string; mbForfeited: number; expiredAt: string }>;

export type SubscriptionEvent =
  SubscriptionOpened | PlanSelected | PaymentCaptured | PaymentFailed | ValidityExtended | DataUsageRecorded | DataExpired;

export const SUBSCRIPTION_EVENT_TYPES: readonly SubscriptionEvent['type'][] = [
  'SubscriptionOpened',
  'PlanSelected',
  'PaymentCaptured',
  'PaymentFailed',
  'ValidityExtended',
  'DataUsageRecorded',
  'DataExpired',
];
