import { DataReader, MoneyV1 } from './data-reader';

/**
 * The public shape of each card event, version 1. Every value names its card, so a consumer can
 * use the value alone; internal fields (e.g. PlanSelected.requestHash) stay inside the ledger.
 */
export interface SubscriptionOpenedV1 {
  subscriptionId: string;
  accountId: string;
  iccid: string;
  region: string;
  openedAt: string;
}
export interface DiscountV1 {
  promotionId: string;
  kind: 'first_order' | 'holiday' | 'coupon';
  amount: MoneyV1;
}
export interface PlanSelectedV1 {
  subscriptionId: string;
  renewalId: string;
  planId: string;
  region: string;
  kind: 'daily' | 'monthly' | 'annual';
  days: number;
  dataMb: number;
  listPrice: MoneyV1;
  discounts: DiscountV1[];
  price: MoneyV1;
  paymentMethod: PaymentMethodV1;
  selectedAt: string;
}
export type PaymentMethodV1 = 'card' | 'paypal' | 'apple_pay';
export interface PaymentCapturedV1 {
  subscriptionId: string;
  renewalId: string;
  paymentId: string;
  amount: MoneyV1;
  method: PaymentMethodV1;
  providerReference: string;
  capturedAt: string;
  fee?: MoneyV1;
}
export interface PaymentFailedV1 {
  subscriptionId: string;
  renewalId: string;
  paymentId: string;
  reason: string;
  failedAt: string;
}
export interface ValidityExtendedV1 {
  subscriptionId: string;
  renewalId: string;
  previousExpiry: string | null;
  newExpiry: string;
  dataMbGranted: number;
  bucketId: string;
}
export interface DataUsageRecordedV1 {
  subscriptionId: string;
  usageId: string;
  mb: number;
  from: { bucketId: string; mb: number }[];
  recordedAt: string;
}
export interface DataExpiredV1 {
  subscriptionId: string;
  bucketId: string;
  mbForfeited: number;
  expiredAt: string;
}

export interface PaymentActionRequiredV1 {
  subscriptionId: string;
  renewalId: string;
  paymentId: string;
  action: 'approve' | 'three_d_secure';
  url: string;
  requiredAt: string;
}
export interface RenewalAbandonedV1 {
  subscriptionId: string;
  renewalId: string;
  paymentId: string;
  reason: string;
  abandonedAt: string;
}
export interface PaymentRefundedV1 {
  subscriptionId: string;
  renewalId: string;
  paymentId: string;
  refundId: string;
  amount: MoneyV1;
  refundedTotal: MoneyV1;
  reason: string;
  refundedAt: string;
}
export interface ChargebackOpenedV1 {
  subscriptionId: string;
  renewalId: string;
  paymentId: string;
  disputeId: string;
  amount: MoneyV1;
  openedAt: string;
}
export interface ChargebackResolvedV1 {
  subscriptionId: string;
  renewalId: string;
  paymentId: string;
  disputeId: string;
  outcome: 'won' | 'lost';
  amount: MoneyV1;
  resolvedAt: string;
}
export interface EntitlementRevokedV1 {
  subscriptionId: string;
  renewalId: string;
  bucketId: string;
  mbRevoked: number;
  previousExpiry: string | null;
  newExpiry: string | null;
  cause: 'refund' | 'chargeback';
  causeId: string;
  revokedAt: string;
}

export interface RenewalReminderDueV1 {
  subscriptionId: string;
  reminderId: string;
  reason: 'low_data' | 'validity_ending';
  dataRemainingMb: number;
  expiresAt: string;
  dataRunsOutAt: string | null;
  dueAt: string;
}

const METHODS: readonly PaymentMethodV1[] = ['card', 'paypal', 'apple_pay'];
const KINDS = ['daily', 'monthly', 'annual'] as const;
const DISCOUNT_KINDS = ['first_order', 'holiday', 'coupon'] as const;

type Mapper = (d: DataReader, subscriptionId: string) => object;

/** One mapper per published event name; the keys are also the list of what the topic carries. */
export const SUBSCRIPTION_MAPPERS: Readonly<Record<string, Mapper>> = {
  SubscriptionOpened: (d, subscriptionId): SubscriptionOpenedV1 => ({
    subscriptionId,
    accountId: d.str('accountId'),
    iccid: d.str('iccid'),
    region: d.str('region'),
    openedAt: d.time('openedAt'),
  }),
  PlanSelected: (d, subscriptionId): PlanSelectedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    planId: d.str('planId'),
    region: d.str('region'),
    kind: d.oneOf('kind', KINDS),
    days: d.int('days', 1),
    dataMb: d.int('dataMb'),
    listPrice: d.money('listPrice'),
    discounts: d.list('discounts', (x) => ({
      promotionId: x.str('promotionId'),
      kind: x.oneOf('kind', DISCOUNT_KINDS),
      amount: x.money('amount'),
    })),
    price: d.money('price'),
    paymentMethod: d.oneOf('paymentMethod', METHODS),
    selectedAt: d.time('selectedAt'),
  }),
  PaymentCaptured: (d, subscriptionId): PaymentCapturedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    paymentId: d.str('paymentId'),
    amount: d.money('amount'),
    method: d.oneOf('method', METHODS),
    providerReference: d.str('providerReference'),
    capturedAt: d.time('capturedAt'),
    ...(d.has('fee') ? { fee: d.money('fee') } : {}),
  }),
  PaymentFailed: (d, subscriptionId): PaymentFailedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    paymentId: d.str('paymentId'),
    reason: d.str('reason'),
    failedAt: d.time('failedAt'),
  }),
  ValidityExtended: (d, subscriptionId): ValidityExtendedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    previousExpiry: d.nullableTime('previousExpiry'),
    newExpiry: d.time('newExpiry'),
    dataMbGranted: d.int('dataMbGranted'),
    bucketId: d.str('bucketId'),
  }),
  DataUsageRecorded: (d, subscriptionId): DataUsageRecordedV1 => ({
    subscriptionId,
    usageId: d.str('usageId'),
    mb: d.int('mb'),
    from: d.list('from', (x) => ({ bucketId: x.str('bucketId'), mb: x.int('mb') })),
    recordedAt: d.time('recordedAt'),
  }),
  DataExpired: (d, subscriptionId): DataExpiredV1 => ({
    subscriptionId,
    bucketId: d.str('bucketId'),
    mbForfeited: d.int('mbForfeited'),
    expiredAt: d.time('expiredAt'),
  }),
  PaymentActionRequired: (d, subscriptionId): PaymentActionRequiredV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    paymentId: d.str('paymentId'),
    action: d.oneOf('action', ['approve', 'three_d_secure'] as const),
    url: d.str('url'),
    requiredAt: d.time('requiredAt'),
  }),
  RenewalAbandoned: (d, subscriptionId): RenewalAbandonedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    paymentId: d.str('paymentId'),
    reason: d.str('reason'),
    abandonedAt: d.time('abandonedAt'),
  }),
  PaymentRefunded: (d, subscriptionId): PaymentRefundedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    paymentId: d.str('paymentId'),
    refundId: d.str('refundId'),
    amount: d.money('amount'),
    refundedTotal: d.money('refundedTotal'),
    reason: d.str('reason'),
    refundedAt: d.time('refundedAt'),
  }),
  ChargebackOpened: (d, subscriptionId): ChargebackOpenedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    paymentId: d.str('paymentId'),
    disputeId: d.str('disputeId'),
    amount: d.money('amount'),
    openedAt: d.time('openedAt'),
  }),
  ChargebackResolved: (d, subscriptionId): ChargebackResolvedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    paymentId: d.str('paymentId'),
    disputeId: d.str('disputeId'),
    outcome: d.oneOf('outcome', ['won', 'lost'] as const),
    amount: d.money('amount'),
    resolvedAt: d.time('resolvedAt'),
  }),
  EntitlementRevoked: (d, subscriptionId): EntitlementRevokedV1 => ({
    subscriptionId,
    renewalId: d.str('renewalId'),
    bucketId: d.str('bucketId'),
    mbRevoked: d.int('mbRevoked'),
    previousExpiry: d.nullableTime('previousExpiry'),
    newExpiry: d.nullableTime('newExpiry'),
    cause: d.oneOf('cause', ['refund', 'chargeback'] as const),
    causeId: d.str('causeId'),
    revokedAt: d.time('revokedAt'),
  }),
  RenewalReminderDue: (d, subscriptionId): RenewalReminderDueV1 => ({
    subscriptionId,
    reminderId: d.str('reminderId'),
    reason: d.oneOf('reason', ['low_data', 'validity_ending'] as const),
    dataRemainingMb: d.int('dataRemainingMb'),
    expiresAt: d.time('expiresAt'),
    dataRunsOutAt: d.nullableTime('dataRunsOutAt'),
    dueAt: d.time('dueAt'),
  }),
};

export const PUBLISHED_EVENT_TYPES: readonly string[] = Object.keys(SUBSCRIPTION_MAPPERS);
