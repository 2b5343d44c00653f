import { chargeFee } from './settlement';
import { ProviderDispute, ProviderEvent, ProviderEventType, ProviderPayment, ProviderRefund } from '@ledger/payments';
import { Journal } from './journal';
import { ApiError, JournalRecord, PaymentRecord, newId, nowIso } from './model';
import { firstState } from './outcomes';
import { CreatePaymentBody } from './validate';

type Extra = { readonly refund?: ProviderRefund; readonly dispute?: ProviderDispute };

const notFound = (id: string): ApiError => new ApiError(404, 'payment_not_found', `no payment ${id}`);

/**
 * The sandbox provider's state. Each change is journalled (with its event) before memory is
 * touched, so a failed write leaves both as they were and the client is answered an error.
 */
export class PspLedger {
  private readonly payments = new Map<string, PaymentRecord>();
  private readonly byReference = new Map<string, string>();
  private readonly refunds = new Map<string, { paymentId: string; amountMinor: number }>();
  private readonly captures = new Map<string, number>();
  private readonly undelivered = new Map<string, ProviderEvent>();

  constructor(
    private readonly journal: Journal,
    private readonly baseUrl: () => string,
    private readonly onEvent: (event: ProviderEvent) => void,
  ) {}

  replay(records: readonly JournalRecord[]): void {
    for (const record of records) this.apply(record);
  }

  /** Events no receiver has acknowledged yet, oldest first: resent after a restart. */
  pendingEvents(): ProviderEvent[] {
    return [...this.undelivered.values()];
  }

  markDelivered(eventId: string): void {
    if (!this.undelivered.has(eventId)) return;
    const record: JournalRecord = { k: 'delivered', id: eventId };
    this.journal.append(record);
    this.apply(record);
  }

  get(id: string): PaymentRecord {
    const rec = this.payments.get(id);
    if (!rec) throw notFound(id);
    return rec;
  }

  findByReference(reference: string): ProviderPayment | undefined {
    const id = this.byReference.get(reference);
    return id === undefined ? undefined : this.payments.get(id)?.payment;
  }

  all(): PaymentRecord[] {
    return [...this.payments.values()];
  }

  stats(): { captures: number; byReference: Record<string, number> } {
    const byReference = Object.fromEntries(this.captures);
    return { captures: [...this.captures.values()].reduce((a, b) => a + b, 0), byReference };
  }

  create(body: CreatePaymentBody): { created: boolean; payment: ProviderPayment } {
    const known = this.byReference.get(body.reference);
    if (known !== undefined) {
      const rec = this.get(known);
      const p = rec.payment;
      const same =
        p.method === body.method &&
        rec.token === body.token &&
        p.amount.amountMinor === body.amount.amountMinor &&
        p.amount.currency === body.amount.currency;
      if (!same) throw new ApiError(409, 'idempotency_key_reused', `reference ${body.reference} was used for a different payment`);
      return { created: false, payment: p };
    }
    const first = firstState(body, newId('pay'), this.baseUrl());
    const rec: PaymentRecord = {
      payment: first.payment,
      token: body.token,
      ...(body.description ? { description: body.description } : {}),
    };
    const payment = this.commit(rec, first.type, {}, first.captured);
    return { created: true, payment };
  }

  capture(id: string): ProviderPayment {
    const rec = this.get(id);
    const p = rec.payment;
    if (p.status === 'captured') return p;
    if (p.status !== 'approved') throw new ApiError(409, 'not_approved', `payment ${id} is ${p.status}, not approved`);
    if (rec.token.startsWith('tok_decline'))
      return this.commit({ ...rec, payment: { ...p, status: 'failed', failureReason: 'paypal_declined' } }, 'payment.failed');
    return this.capturedNow(rec);
  }

  cancel(id: string): ProviderPayment {
    const rec = this.get(id);
    const p = rec.payment;
    if (p.status === 'canceled') return p;
    if (p.status !== 'requires_action' && p.status !== 'approved')
      throw new ApiError(409, 'not_cancelable', `payment ${id} is ${p.status}`);
    const { nextAction: _gone, ...rest } = p;
    return this.commit({ ...rec, payment: { ...rest, status: 'canceled', failureReason: 'canceled' } }, 'payment.canceled');
  }

  refund(id: string, reference: string, amountMinor: number): ProviderPayment {
    const rec = this.get(id);
    const known = this.refunds.get(reference);
    if (known) {
      if (known.paymentId !== id || known.amountMinor !== amountMinor)
        throw new ApiError(409, 'idempotency_key_reused', `refund reference ${reference} was used differently`);
      return rec.payment;
    }
    const p = rec.payment;
    if (p.status !== 'captured') throw new ApiError(409, 'not_captured', `payment ${id} is ${p.status}`);
    if (p.refundedMinor + amountMinor > p.amount.amountMinor) {
      throw new ApiError(409, 'refund_exceeds_payment', `refunds would total more than ${p.amount.amountMinor}`);
    }
    const refund: ProviderRefund = { id: newId('re'), reference, amountMinor, createdAt: nowIso() };
    const payment = { ...p, refundedMinor: p.refundedMinor + amountMinor, refunds: [...p.refunds, refund] };
    return this.commit({ ...rec, payment }, 'payment.refunded', { refund });
  }

  openDispute(id: string, amountMinor: number | undefined): { payment: ProviderPayment; dispute: ProviderDispute } {
    const rec = this.get(id);
    const p = rec.payment;
    if (p.status !== 'captured') throw new ApiError(409, 'not_captured', `payment ${id} is ${p.status}`);
    const amount = amountMinor ?? p.amount.amountMinor;
    if (amount > p.amount.amountMinor)
      throw new ApiError(409, 'dispute_exceeds_payment', `a dispute cannot exceed ${p.amount.amountMinor}`);
    const dispute: ProviderDispute = { id: newId('dp'), status: 'open', amountMinor: amount, openedAt: nowIso() };
    const payment = this.commit({ ...rec, payment: { ...p, disputes: [...p.disputes, dispute] } }, 'dispute.opened', { dispute });
    return { payment, dispute };
  }

  resolveDispute(disputeId: string, outcome: 'won' | 'lost'): { payment: ProviderPayment; dispute: ProviderDispute } {
    const rec = this.all().find((r) => r.payment.disputes.some((d) => d.id === disputeId));
    if (!rec) throw new ApiError(404, 'dispute_not_found', `no dispute ${disputeId}`);
    const current = rec.payment.disputes.find((d) => d.id === disputeId)!;
    if (current.status === outcome) return { payment: rec.payment, dispute: current };
    if (current.status !== 'open') throw new ApiError(409, 'dispute_closed', `dispute ${disputeId} was already ${current.status}`);
    const dispute: ProviderDispute = { ...current, status: outcome, resolvedAt: nowIso() };
    const disputes = rec.payment.disputes.map((d) => (d.id === disputeId ? dispute : d));
    const payment = this.commit({ ...rec, payment: { ...rec.payment, disputes } }, outcome === 'won' ? 'dispute.won' : 'dispute.lost', {
      dispute,
    });
    return { payment, dispute };
  }

  /** Owner pages: the payer acts on a payment waiting for them. Null when its state does not allow it. */
  ownerAction(id: string, action: 'approve' | 'cancel' | 'complete' | 'fail'): ProviderPayment | null {
    const rec = this.get(id);
    const p = rec.payment;
    const wanted = { approve: 'approved', cancel: 'failed', complete: 'captured', fail: 'failed' } as const;
    const reason = action === 'cancel' ? 'paypal_canceled' : action === 'fail' ? 'authentication_failed' : undefined;
    // Repeating what the payer already did (a double click, a reload) answers success again.
    if (p.status === wanted[action] && p.failureReason === reason) return p;
    if (p.status !== 'requires_action') return null;
    const { nextAction: _gone, ...rest } = p;
    if (action === 'approve') return this.commit({ ...rec, payment: { ...rest, status: 'approved' } }, 'payment.approved');
    if (action === 'complete') return this.capturedNow({ ...rec, payment: rest });
    return this.commit({ ...rec, payment: { ...rest, status: 'failed', failureReason: reason } }, 'payment.failed');
  }

  private capturedNow(rec: PaymentRecord): ProviderPayment {
    const { nextAction: _gone, ...rest } = rec.payment;
    const feeMinor = chargeFee(rest.method, rest.amount);
    return this.commit({ ...rec, payment: { ...rest, status: 'captured', capturedAt: nowIso(), feeMinor } }, 'payment.captured', {}, true);
  }

  private commit(rec: PaymentRecord, type: ProviderEventType, extra: Extra = {}, captured = false): ProviderPayment {
    const event: ProviderEvent = {
      id: newId('evt'),
      type,
      created: Math.floor(Date.now() / 1000),
      data: { payment: rec.payment, ...extra },
    };
    const record: JournalRecord = { k: 'put', rec, event, ...(captured ? { captured: true as const } : {}) };
    this.journal.append(record);
    this.apply(record);
    this.onEvent(event);
    return rec.payment;
  }

  private apply(record: JournalRecord): void {
    if (record.k === 'delivered') {
      this.undelivered.delete(record.id);
      return;
    }
    const { payment } = record.rec;
    this.payments.set(payment.id, record.rec);
    this.byReference.set(payment.reference, payment.id);
    for (const r of payment.refunds) this.refunds.set(r.reference, { paymentId: payment.id, amountMinor: r.amountMinor });
    if (record.captured) this.captures.set(payment.reference, (this.captures.get(payment.reference) ?? 0) + 1);
    this.undelivered.set(record.event.id, record.event);
  }
}
