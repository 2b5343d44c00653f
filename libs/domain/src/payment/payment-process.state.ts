import { assertNever } from '../shared/event';
import { PaymentProcessEvent, PaymentSnapshot, ProviderOperation, Quote, RenewalRequested } from './payment-process.events';

export interface ProcessRefund {
  readonly refundId: string;
  readonly amountMinor: number;
  readonly reason: string;
  readonly rejected?: string;
}

export interface PaymentProcess {
  readonly request: RenewalRequested['data'] | null;
  readonly quote: Quote | null;
  readonly discount: 'unneeded' | 'pending' | 'claimed' | 'unavailable' | 'released';
  readonly card: 'unreserved' | 'reserved' | 'refused';
  readonly refusal: { readonly code: string; readonly message: string } | null;
  /** The provider's latest word, merged so that a late or repeated report never moves it back. */
  readonly payment: PaymentSnapshot | null;
  /** The provider answered a lookup with "never seen". */
  readonly unknownAtProvider: boolean;
  readonly unreachable: { readonly operation: ProviderOperation; readonly attempt: number; readonly retryAt: string } | null;
  /** The provider refused the last request itself (a 4xx); cleared by its next report. */
  readonly rejected: { readonly operation: ProviderOperation; readonly code: string } | null;
  /** The provider refused to cancel: the payment is looked up instead, and never cancelled again. */
  readonly cancelRefused: boolean;
  /** Refunds the provider refused, by refund id (finance's and the process's own void refund). */
  readonly refundRejections: Readonly<Record<string, string>>;
  /** A capture or cancel that answered without moving the payment: the next try waits a backoff. */
  readonly stalled: { readonly operation: ProviderOperation; readonly count: number; readonly at: string } | null;
  readonly lookups: number;
  readonly lastLookupAt: string | null;
  /** What the card has been told (CardUpdated steps). */
  readonly cardSteps: readonly string[];
  /** Why the renewal failed or was abandoned, as told to the card. */
  readonly endReason: string | null;
  readonly refunds: readonly ProcessRefund[];
  /** Provider event ids already taken in: a redelivered webhook changes nothing. */
  readonly seenEvents: readonly string[];
}

export const initialProcess = (): PaymentProcess => ({
  request: null,
  quote: null,
  discount: 'unneeded',
  card: 'unreserved',
  refusal: null,
  payment: null,
  unknownAtProvider: false,
  unreachable: null,
  rejected: null,
  cancelRefused: false,
  refundRejections: {},
  stalled: null,
  lookups: 0,
  lastLookupAt: null,
  cardSteps: [],
  endReason: null,
  refunds: [],
  seenEvents: [],
});

const RANK: Record<PaymentSnapshot['status'], number> = { requires_action: 0, approved: 1, captured: 2, failed: 2, canceled: 2 };
const DISPUTE_RANK = { open: 0, won: 1, lost: 1 } as const;

/** A provider's reports can arrive in any order: status only moves forward, refunds and disputes accumulate. */
export const mergePayment = (held: PaymentSnapshot | null, report: PaymentSnapshot): PaymentSnapshot => {
  if (!held) return report;
  const newer = RANK[report.status] > RANK[held.status] ? report : held;
  const refunds = new Map(held.refunds.map((r) => [r.reference, r]));
  for (const r of report.refunds) refunds.set(r.reference, r);
  const disputes = new Map(held.disputes.map((d) => [d.id, d]));
  for (const d of report.disputes) {
    const known = disputes.get(d.id);
    if (!known || DISPUTE_RANK[d.status] > DISPUTE_RANK[known.status]) disputes.set(d.id, d);
  }
  return {
    ...newer,
    nextAction: newer.nextAction ?? held.nextAction ?? report.nextAction,
    refunds: [...refunds.values()],
    disputes: [...disputes.values()],
  };
};

export const evolveProcess = (s: PaymentProcess, e: PaymentProcessEvent): PaymentProcess => {
  switch (e.type) {
    case 'RenewalRequested': {
      const claims = e.data.quote.discounts.some((d) => d.kind === 'first_order');
      return { ...s, request: e.data, quote: e.data.quote, discount: claims ? 'pending' : 'unneeded' };
    }
    case 'DiscountSettled':
      return { ...s, discount: e.data.outcome, quote: e.data.quote };
    case 'DiscountReleased':
      return { ...s, discount: 'released' };
    case 'CardReserved':
      return { ...s, card: 'reserved' };
    case 'RenewalRefused':
      return { ...s, card: 'refused', refusal: { code: e.data.code, message: e.data.message } };
    case 'ProviderReported': {
      const seenEvents = e.data.eventId ? [...s.seenEvents, e.data.eventId] : s.seenEvents;
      const looked = e.data.source === 'lookup';
      const counted = { seenEvents, lookups: s.lookups + (looked ? 1 : 0), lastLookupAt: looked ? e.data.at : s.lastLookupAt };
      // A webhook is no answer to the operation in flight: a backoff under way stays.
      const answered = e.data.source !== 'webhook';
      const unreachable = answered ? null : s.unreachable;
      const rejected = answered ? null : s.rejected;
      if (!e.data.payment) return { ...s, ...counted, unreachable, rejected, unknownAtProvider: true };
      const payment = mergePayment(s.payment, e.data.payment);
      const op = e.data.source;
      const still = (op === 'capture' || op === 'cancel') && payment.status === s.payment?.status;
      const stalled = still
        ? { operation: op, count: (s.stalled?.operation === op ? s.stalled.count : 0) + 1, at: e.data.at }
        : answered
          ? null
          : s.stalled;
      return { ...s, ...counted, unreachable, rejected, stalled, payment };
    }
    case 'ProviderUnreachable': {
      const { operation, attempt, retryAt } = e.data;
      const looked = operation === 'lookup';
      const lookups = s.lookups + (looked ? 1 : 0);
      return { ...s, unreachable: { operation, attempt, retryAt }, lookups, lastLookupAt: looked ? e.data.at : s.lastLookupAt };
    }
    case 'ProviderRejected': {
      const { operation, code, refundId } = e.data;
      if (operation === 'refund' && refundId) {
        // A refund the provider refuses is closed as refused; the payment itself is unchanged.
        const refunds = s.refunds.map((r) => (r.refundId === refundId ? { ...r, rejected: code } : r));
        return { ...s, unreachable: null, refunds, refundRejections: { ...s.refundRejections, [refundId]: code } };
      }
      const looked = operation === 'lookup';
      return {
        ...s,
        unreachable: null,
        rejected: { operation, code },
        cancelRefused: s.cancelRefused || operation === 'cancel',
        lookups: s.lookups + (looked ? 1 : 0),
        lastLookupAt: looked ? e.data.at : s.lastLookupAt,
      };
    }
    case 'CardUpdated':
      return { ...s, cardSteps: [...s.cardSteps, e.data.step], endReason: e.data.reason ?? s.endReason };
    case 'RefundRequested': {
      const { refundId, amountMinor, reason } = e.data;
      return { ...s, refunds: [...s.refunds, { refundId, amountMinor, reason }] };
    }
    default:
      return assertNever(e);
  }
};
