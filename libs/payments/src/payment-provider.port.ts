import { Money, PaymentMethodType } from '@ledger/domain';

/**
 * A payment as the provider holds it. `reference` is ours (the renewal's payment id) and is the
 * provider's idempotency key: creating twice with one reference answers the first payment.
 */
export type ProviderPaymentStatus = 'requires_action' | 'approved' | 'captured' | 'failed' | 'canceled';

export interface ProviderNextAction {
  /** approve: PayPal's approval page; three_d_secure: the card issuer's challenge page. */
  readonly type: 'approve' | 'three_d_secure';
  readonly url: string;
}

export interface ProviderRefund {
  readonly id: string;
  /** Our refund id, the refund's idempotency key. */
  readonly reference: string;
  readonly amountMinor: number;
  readonly createdAt: string;
}

export interface ProviderDispute {
  readonly id: string;
  readonly status: 'open' | 'won' | 'lost';
  readonly amountMinor: number;
  readonly openedAt: string;
  readonly resolvedAt?: string;
}

export interface ProviderPayment {
  readonly id: string;
  readonly reference: string;
  readonly method: PaymentMethodType;
  readonly amount: Money;
  readonly status: ProviderPaymentStatus;
  /** card_declined, insufficient_funds, authentication_failed, paypal_declined, paypal_canceled, apple_pay_declined, canceled */
  readonly failureReason?: string;
  readonly nextAction?: ProviderNextAction;
  readonly refundedMinor: number;
  readonly refunds: readonly ProviderRefund[];
  readonly disputes: readonly ProviderDispute[];
  readonly createdAt: string;
  readonly capturedAt?: string;
  /** The provider's fee for the capture, in the payment's currency; present once captured. */
  readonly feeMinor?: number;
}

export interface CreatePaymentRequest {
  readonly reference: string;
  readonly method: PaymentMethodType;
  readonly token: string;
  readonly amount: Money;
  readonly description?: string;
}

export interface RefundRequest {
  readonly reference: string;
  readonly amountMinor: number;
}

/** The provider's webhook body (Stripe-shaped): one event, its id unique at the provider. */
export type ProviderEventType =
  | 'payment.requires_action'
  | 'payment.approved'
  | 'payment.captured'
  | 'payment.failed'
  | 'payment.canceled'
  | 'payment.refunded'
  | 'dispute.opened'
  | 'dispute.won'
  | 'dispute.lost';

export interface ProviderEvent {
  readonly id: string;
  readonly type: ProviderEventType;
  /** Unix seconds at the provider. */
  readonly created: number;
  readonly data: { readonly payment: ProviderPayment; readonly refund?: ProviderRefund; readonly dispute?: ProviderDispute };
}

/**
 * The provider answered nothing usable (network error, timeout, 5xx): the operation may or may not
 * have happened; ask again (same idempotency key) or look the payment up.
 */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

/** The provider refused the request itself (4xx): asking again will not help. */
export class ProviderRejectedError extends Error {
  override readonly name = 'ProviderRejectedError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PaymentProvider {
  /** Cards and Apple Pay answer captured or failed (or requires_action for 3-D Secure); PayPal answers requires_action. */
  createPayment(request: CreatePaymentRequest): Promise<ProviderPayment>;
  /** By our reference; null when the provider has never seen it. */
  findPayment(reference: string): Promise<ProviderPayment | null>;
  /** Captures an approved PayPal order; a captured payment answers itself. */
  capturePayment(paymentId: string): Promise<ProviderPayment>;
  /** Cancels a payment still waiting for the owner, so a late approval cannot capture it. */
  cancelPayment(paymentId: string): Promise<ProviderPayment>;
  refundPayment(paymentId: string, request: RefundRequest): Promise<ProviderPayment>;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');
