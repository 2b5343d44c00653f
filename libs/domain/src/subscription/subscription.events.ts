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
  {
    renewalId: string;
    paymentId: string;
    amount: Money;
    method: PaymentMethodType;
    providerReference: string;
    capturedAt: string;
    /** The provider's fee, when it reported one (captures booked before fees were have none). */
    fee?: Money;
  }
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

/** The owner must act at the provider (PayPal approval, 3-D Secure) before the payment can complete. */
export type PaymentActionRequired = DomainEvent<
  'PaymentActionRequired',
  { renewalId: string; paymentId: string; action: 'approve' | 'three_d_secure'; url: string; requiredAt: string }
>;

/** The provider never confirmed within the bound: the renewal ends unpaid and the card is free again. */
export type RenewalAbandoned = DomainEvent<
  'RenewalAbandoned',
  { renewalId: string; paymentId: string; reason: string; abandonedAt: string }
>;

/** `refundedTotal` is every refund of this payment so far, this one included. */
export type PaymentRefunded = DomainEvent<
  'PaymentRefunded',
  { renewalId: string; paymentId: string; refundId: string; amount: Money; refundedTotal: Money; reason: string; refundedAt: string }
>;

export type ChargebackOpened = DomainEvent<
  'ChargebackOpened',
  { renewalId: string; paymentId: string; disputeId: string; amount: Money; openedAt: string }
>;

export type ChargebackResolved = DomainEvent<
  'ChargebackResolved',
  { renewalId: string; paymentId: string; disputeId: string; outcome: 'won' | 'lost'; amount: Money; resolvedAt: string }
>;

/** What a refund or a lost chargeback takes back of a renewal's entitlement (rule: entitlement.ts). */
export type EntitlementRevoked = DomainEvent<
  'EntitlementRevoked',
  {
    renewalId: string;
    bucketId: string;
    mbRevoked: number;
    previousExpiry: string | null;
    newExpiry: string | null;
    cause: 'refund' | 'chargeback';
    causeId: string;
    revokedAt: string;
  }
>;

/**
 * The card should be renewed soon: its data is running low (≤ 10 % left, or under 2 days at its
 * pace) or its validity ends within 2 days. Once per reminder id: a bucket for low data, a validity
 * end for validity. For a notification service (on Kafka) and the console.
 */
export type RenewalReminderDue = DomainEvent<
  'RenewalReminderDue',
  {
    reminderId: string;
    reason: 'low_data' | 'validity_ending';
    dataRemainingMb: number;
    expiresAt: string;
    /** At the card's recent pace; null without use. */
    dataRunsOutAt: string | null;
    dueAt: string;
  }
>;

export type SubscriptionEvent =
  | SubscriptionOpened
  | PlanSelected
  | PaymentCaptured
  | PaymentFailed
  | ValidityExtended
  | DataUsageRecorded
  | DataExpired
  | PaymentActionRequired
  | RenewalAbandoned
  | PaymentRefunded
  | ChargebackOpened
  | ChargebackResolved
  | EntitlementRevoked
  | RenewalReminderDue;

export const SUBSCRIPTION_EVENT_TYPES: readonly SubscriptionEvent['type'][] = [
  'SubscriptionOpened',
  'PlanSelected',
  'PaymentCaptured',
  'PaymentFailed',
  'ValidityExtended',
  'DataUsageRecorded',
  'DataExpired',
  'PaymentActionRequired',
  'RenewalAbandoned',
  'PaymentRefunded',
  'ChargebackOpened',
  'ChargebackResolved',
  'EntitlementRevoked',
  'RenewalReminderDue',
];
