import { Decider, assertNever } from '../shared/event';
import { DomainError } from '../shared/domain-error';
import { PaymentOutcome } from '../subscription/subscription.commands';
import { PaymentProcessEvent, PaymentSnapshot, ProviderOperation, Quote, RenewalRequested } from './payment-process.events';
import { PaymentProcess, evolveProcess, initialProcess } from './payment-process.state';

/** What the process asks of the card, the account or the provider next. */
export type ProcessAction =
  | { readonly type: 'ClaimDiscount' }
  | { readonly type: 'ReserveCard' }
  | { readonly type: 'ReleaseDiscount'; readonly reason: string }
  | { readonly type: 'Charge' }
  | { readonly type: 'Capture'; readonly providerPaymentId: string }
  | { readonly type: 'Lookup' }
  | { readonly type: 'Cancel'; readonly providerPaymentId: string }
  | { readonly type: 'Refund'; readonly providerPaymentId: string; readonly refundId: string; readonly amountMinor: number }
  | { readonly type: 'RecordAction'; readonly action: 'approve' | 'three_d_secure'; readonly url: string }
  | { readonly type: 'RecordOutcome'; readonly outcome: PaymentOutcome }
  | { readonly type: 'AbandonOnCard'; readonly reason: string }
  | { readonly type: 'RecordRefundOnCard'; readonly refundId: string; readonly amountMinor: number; readonly reason: string }
  | {
      readonly type: 'RecordChargebackOnCard';
      readonly disputeId: string;
      readonly status: 'open' | 'won' | 'lost';
      readonly amountMinor: number;
    };

/** What carrying out an action gave; `RecordResult` turns it into the process's events. */
export type ActionResult =
  | { readonly kind: 'payment'; readonly payment: PaymentSnapshot | null }
  | { readonly kind: 'unreachable'; readonly error: string; readonly retryAt: string }
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string }
  | { readonly kind: 'discount'; readonly outcome: 'claimed' | 'unavailable'; readonly quote: Quote }
  | { readonly kind: 'card-refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'done' };

export type PaymentProcessCommand =
  | { readonly type: 'StartRenewal'; readonly request: RenewalRequested['data'] }
  | { readonly type: 'ReceiveWebhook'; readonly eventId: string; readonly payment: PaymentSnapshot; readonly now: string }
  | {
      readonly type: 'RequestRefund';
      readonly refundId: string;
      readonly amountMinor: number;
      readonly reason: string;
      readonly actor: string;
      readonly now: string;
    }
  | { readonly type: 'RecordResult'; readonly action: ProcessAction; readonly result: ActionResult; readonly now: string };

const OPERATION: Partial<Record<ProcessAction['type'], ProviderOperation>> = {
  Charge: 'charge',
  Capture: 'capture',
  Lookup: 'lookup',
  Cancel: 'cancel',
  Refund: 'refund',
};

const CARD_STEP = (a: ProcessAction): string => {
  switch (a.type) {
    case 'RecordAction':
      return 'action';
    case 'RecordOutcome':
      return `outcome:${a.outcome.status}`;
    case 'AbandonOnCard':
      return 'abandoned';
    case 'RecordRefundOnCard':
      return `refund:${a.refundId}`;
    case 'RecordChargebackOnCard':
      return `dispute:${a.disputeId}:${a.status}`;
    default:
      return a.type;
  }
};

const endReason = (a: ProcessAction): { reason?: string } =>
  a.type === 'AbandonOnCard'
    ? { reason: a.reason }
    : a.type === 'RecordOutcome' && a.outcome.status === 'failed'
      ? { reason: a.outcome.reason }
      : {};

const recordResult = (a: ProcessAction, r: ActionResult, s: PaymentProcess, at: string): PaymentProcessEvent[] => {
  const operation = OPERATION[a.type];
  switch (r.kind) {
    case 'payment':
      return [{ type: 'ProviderReported', data: { source: operation ?? 'lookup', payment: r.payment, at } }];
    case 'unreachable': {
      const attempt = (s.unreachable?.operation === operation ? s.unreachable!.attempt : 0) + 1;
      return [{ type: 'ProviderUnreachable', data: { operation: operation ?? 'lookup', attempt, error: r.error, at, retryAt: r.retryAt } }];
    }
    case 'rejected':
      return [
        {
          type: 'ProviderRejected',
          data: {
            operation: operation ?? 'lookup',
            code: r.code,
            message: r.message,
            ...(a.type === 'Refund' ? { refundId: a.refundId } : {}),
            at,
          },
        },
      ];
    case 'discount':
      return [{ type: 'DiscountSettled', data: { outcome: r.outcome, quote: r.quote, at } }];
    case 'card-refused':
      if (a.type === 'ReserveCard') return [{ type: 'RenewalRefused', data: { code: r.code, message: r.message, at } }];
      // The card would not take a refund or dispute (it exceeds what is left): noted, never retried.
      return [{ type: 'CardUpdated', data: { step: CARD_STEP(a), refused: r.code, at } }];
    case 'done':
      if (a.type === 'ReserveCard') return [{ type: 'CardReserved', data: { at } }];
      if (a.type === 'ReleaseDiscount') return [{ type: 'DiscountReleased', data: { at } }];
      return [{ type: 'CardUpdated', data: { step: CARD_STEP(a), ...endReason(a), at } }];
    default:
      return assertNever(r);
  }
};

const requestRefund = (c: Extract<PaymentProcessCommand, { type: 'RequestRefund' }>, s: PaymentProcess): PaymentProcessEvent[] => {
  const same = s.refunds.find((r) => r.refundId === c.refundId);
  if (same) {
    if (same.amountMinor !== c.amountMinor || same.reason !== c.reason)
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for another refund', 'Idempotency-Key');
    return [];
  }
  const completed = s.payment?.status === 'captured' && s.cardSteps.includes('outcome:captured');
  if (!completed) throw new DomainError('RENEWAL_NOT_PAID', 'only a completed renewal can be refunded', 'renewalId');
  // What already went back: refunds asked (and not refused) and chargebacks lost.
  const lost = s.payment!.disputes.filter((d) => d.status === 'lost').reduce((sum, d) => sum + d.amountMinor, 0);
  const asked = s.refunds.filter((r) => !r.rejected).reduce((sum, r) => sum + r.amountMinor, 0) + lost;
  const paid = s.payment!.amount.amountMinor;
  if (!Number.isSafeInteger(c.amountMinor) || c.amountMinor <= 0 || asked + c.amountMinor > paid) {
    throw new DomainError(
      'REFUND_EXCEEDS_PAYMENT',
      `refunds cannot exceed the ${paid} minor units paid (${asked} already refunded)`,
      'amountMinor',
    );
  }
  const { refundId, amountMinor, reason, actor, now } = c;
  return [{ type: 'RefundRequested', data: { refundId, amountMinor, reason, actor, requestedAt: now } }];
};

export const decideProcess = (c: PaymentProcessCommand, s: PaymentProcess): PaymentProcessEvent[] => {
  switch (c.type) {
    case 'StartRenewal':
      if (s.request) {
        if (s.request.requestHash !== c.request.requestHash)
          throw new DomainError(
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was already used with a different request body',
            'Idempotency-Key',
          );
        return [];
      }
      return [{ type: 'RenewalRequested', data: c.request }];
    case 'ReceiveWebhook':
      if (!s.request || s.seenEvents.includes(c.eventId)) return [];
      return [{ type: 'ProviderReported', data: { source: 'webhook', eventId: c.eventId, payment: c.payment, at: c.now } }];
    case 'RequestRefund':
      return requestRefund(c, s);
    case 'RecordResult':
      return s.request ? recordResult(c.action, c.result, s, c.now) : [];
    default:
      return assertNever(c);
  }
};

export const paymentProcessDecider: Decider<PaymentProcessCommand, PaymentProcess, PaymentProcessEvent> & {
  readonly snapshot: { version: string; toJSON: (s: PaymentProcess) => unknown; fromJSON: (j: unknown) => PaymentProcess };
} = {
  initialState: initialProcess,
  evolve: evolveProcess,
  decide: decideProcess,
  snapshot: { version: 'payment-process-2', toJSON: (s) => s, fromJSON: (j) => j as PaymentProcess },
};
