import { DomainEvent } from '../shared/event';
import { Money } from '../shared/money';
import { Discount } from '../catalogue/promotions';
import { PaymentMethodType } from '../subscription/subscription.events';

/**
 * A renewal's payment process (the renewal process manager) keeps its own stream,
 * `payment-<paymentId>`: what it was asked, what each party answered, what it has told the card and
 * the account. Nothing here is published; the card's events are the public record.
 */
export interface Quote {
  readonly listPrice: Money;
  readonly discounts: readonly Discount[];
  readonly price: Money;
}

/** What the provider says about a payment, as far as this process needs it. */
export interface PaymentSnapshot {
  readonly id: string;
  readonly status: 'requires_action' | 'approved' | 'captured' | 'failed' | 'canceled';
  readonly amount: Money;
  /** The provider's fee, once captured. */
  readonly feeMinor?: number;
  readonly failureReason?: string;
  readonly nextAction?: { readonly type: 'approve' | 'three_d_secure'; readonly url: string };
  readonly refunds: readonly { readonly reference: string; readonly amountMinor: number }[];
  readonly disputes: readonly { readonly id: string; readonly status: 'open' | 'won' | 'lost'; readonly amountMinor: number }[];
}

export type ProviderOperation = 'charge' | 'capture' | 'lookup' | 'cancel' | 'refund';

export type RenewalRequested = DomainEvent<
  'RenewalRequested',
  {
    paymentId: string;
    renewalId: string;
    subscriptionId: string;
    accountId: string;
    planId: string;
    paymentMethod: PaymentMethodType;
    /** The provider token, sealed under the data key: the process may have to charge after a crash. */
    sealedToken: string;
    quote: Quote;
    promotionCode: string | null;
    requestHash: string;
    /** Who asked, under which correlation and key: carried onto every event the process writes. */
    origin: { actor: string; correlationId: string; idempotencyKey: string };
    requestedAt: string;
    /** Past this, an unconfirmed payment is looked up at the provider instead of waited for. */
    confirmBy: string;
    /** Past this, a payment still not final is cancelled and the renewal abandoned. */
    abandonBy: string;
  }
>;

/** The first-order discount was claimed for this renewal, or was not available (then `quote` is the new price). */
export type DiscountSettled = DomainEvent<'DiscountSettled', { outcome: 'claimed' | 'unavailable'; quote: Quote; at: string }>;
export type DiscountReleased = DomainEvent<'DiscountReleased', { at: string }>;
export type CardReserved = DomainEvent<'CardReserved', { at: string }>;
/** The card refused the renewal (another one pending, plan not in region…): the process ends unpaid. */
export type RenewalRefused = DomainEvent<'RenewalRefused', { code: string; message: string; at: string }>;
/** `payment` null: the provider has never seen this payment (a lookup's answer). */
export type ProviderReported = DomainEvent<
  'ProviderReported',
  { source: ProviderOperation | 'webhook'; eventId?: string; payment: PaymentSnapshot | null; at: string }
>;
export type ProviderUnreachable = DomainEvent<
  'ProviderUnreachable',
  { operation: ProviderOperation; attempt: number; error: string; at: string; retryAt: string }
>;
/** The provider refused the request itself (a 4xx): asking again will not help. */
export type ProviderRejected = DomainEvent<
  'ProviderRejected',
  { operation: ProviderOperation; code: string; message: string; refundId?: string; at: string }
>;
/**
 * `step` says what the card now knows: action, outcome:captured|failed, abandoned, refund:<id>,
 * dispute:<id>:<status>; `reason`: why a renewal failed or was abandoned; `refused`: the card would
 * not take it (the code), and it is not asked again.
 */
export type CardUpdated = DomainEvent<'CardUpdated', { step: string; reason?: string; refused?: string; at: string }>;
export type RefundRequested = DomainEvent<
  'RefundRequested',
  { refundId: string; amountMinor: number; reason: string; actor: string; requestedAt: string }
>;

export type PaymentProcessEvent =
  | RenewalRequested
  | DiscountSettled
  | DiscountReleased
  | CardReserved
  | RenewalRefused
  | ProviderReported
  | ProviderUnreachable
  | ProviderRejected
  | CardUpdated
  | RefundRequested;

export const PAYMENT_PROCESS_EVENT_TYPES: readonly PaymentProcessEvent['type'][] = [
  'RenewalRequested',
  'DiscountSettled',
  'DiscountReleased',
  'CardReserved',
  'RenewalRefused',
  'ProviderReported',
  'ProviderUnreachable',
  'ProviderRejected',
  'CardUpdated',
  'RefundRequested',
];

export const paymentProcessStreamId = (paymentId: string): string => `payment-${paymentId}`;
export const PAYMENT_PROCESS_PREFIX = 'payment-';
