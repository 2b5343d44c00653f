/**
 * A business rule refused the command. The code is stable (clients and the HTTP problem+json
 * body depend on it); `field` names the input that caused it when there is one.
 */
export type DomainErrorCode =
  | 'SUBSCRIPTION_NOT_FOUND'
  | 'SUBSCRIPTION_ALREADY_OPENED'
  | 'ACCOUNT_NOT_FOUND'
  | 'ACCOUNT_ALREADY_REGISTERED'
  | 'PLAN_NOT_FOUND'
  | 'PLAN_NOT_IN_REGION'
  | 'UNKNOWN_PROMOTION_CODE'
  | 'PROMOTION_NOT_APPLICABLE'
  | 'RENEWAL_IN_PROGRESS'
  | 'RENEWAL_NOT_PENDING'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INSUFFICIENT_DATA'
  | 'SUBSCRIPTION_EXPIRED'
  | 'USAGE_ID_REUSED'
  | 'MEASURED_AT_OUT_OF_RANGE'
  | 'INVALID_COMMAND'
  | 'ICCID_IN_USE'
  | 'RENEWAL_NOT_FOUND'
  | 'RENEWAL_NOT_PAID'
  | 'REFUND_EXCEEDS_PAYMENT'
  | 'PROVIDER_UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
