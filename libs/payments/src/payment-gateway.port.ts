import { Money, PaymentMethodType } from '@ledger/domain';

export interface CaptureRequest {
  /** Idempotency key at the provider: capturing the same paymentId twice charges once. */
  readonly paymentId: string;
  readonly amount: Money;
  readonly method: PaymentMethodType;
  readonly token: string;
}

export type CaptureResult =
  | { readonly status: 'captured'; readonly paymentId: string; readonly providerReference: string; readonly amount: Money }
  | { readonly status: 'failed'; readonly paymentId: string; readonly reason: string };

export interface PaymentGateway {
  capture(request: CaptureRequest): Promise<CaptureResult>;
}

export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');
