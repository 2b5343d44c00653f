import { ProcessAction } from './payment-process.decider';
import { PaymentProcess } from './payment-process.state';

export type NextStep =
  | { readonly kind: 'act'; readonly action: ProcessAction }
  /** Nothing to do before `until` unless an input (a webhook, a refund) arrives first. */
  | { readonly kind: 'wait'; readonly until: string }
  | { readonly kind: 'done' };

export interface LookupPolicy {
  /** Between lookups of a payment past its confirmBy: base × 2^n, at most max. */
  readonly baseMs: number;
  readonly maxMs: number;
}

const act = (action: ProcessAction): NextStep => ({ kind: 'act', action });
const at = (iso: string): number => Date.parse(iso);

/**
 * The process's one rule: given what it knows and the time, what to do next. Every action is safe
 * to repeat (commands are idempotent on the card and the account, the provider dedupes on our
 * reference), so a crash between doing and recording only means doing it again.
 */
export const nextStep = (s: PaymentProcess, now: string, policy: LookupPolicy): NextStep => {
  const r = s.request;
  if (!r) return { kind: 'done' };
  if (s.card === 'unreserved') return act(s.discount === 'pending' ? { type: 'ClaimDiscount' } : { type: 'ReserveCard' });
  if (s.card === 'refused')
    return s.discount === 'claimed' ? act({ type: 'ReleaseDiscount', reason: 'renewal_refused' }) : { kind: 'done' };
  const has = (step: string) => s.cardSteps.includes(step);
  const p = s.payment;
  const t = at(now);
  if (!has('outcome') && !has('abandoned')) {
    if (p?.status === 'captured')
      return act({
        type: 'RecordOutcome',
        outcome: { status: 'captured', paymentId: r.paymentId, amount: p.amount, providerReference: p.id },
      });
    if (p?.status === 'failed')
      return act({
        type: 'RecordOutcome',
        outcome: { status: 'failed', paymentId: r.paymentId, reason: p.failureReason ?? 'payment_failed' },
      });
    if (p?.status === 'canceled') return act({ type: 'AbandonOnCard', reason: 'not_confirmed_in_time' });
    if (s.rejected)
      return act({
        type: 'RecordOutcome',
        outcome: { status: 'failed', paymentId: r.paymentId, reason: `provider_rejected_${s.rejected.code}` },
      });
    if (s.unknownAtProvider)
      return act({ type: 'RecordOutcome', outcome: { status: 'failed', paymentId: r.paymentId, reason: 'unknown_at_provider' } });
    // An owner's approval is honoured whenever it comes: the money is then taken and the card extended.
    if (p?.status === 'approved') return retrying(s, t, { type: 'Capture', providerPaymentId: p.id });
    if (p?.status === 'requires_action') {
      if (!has('action') && p.nextAction) return act({ type: 'RecordAction', action: p.nextAction.type, url: p.nextAction.url });
      if (t >= at(r.abandonBy)) return retrying(s, t, { type: 'Cancel', providerPaymentId: p.id });
      return lookupOrWait(s, t, policy);
    }
    if (t >= at(r.abandonBy)) return act({ type: 'AbandonOnCard', reason: 'provider_unreachable' });
    if (t >= at(r.confirmBy)) return lookupOrWait(s, t, policy);
    return retrying(s, t, { type: 'Charge' });
  }
  const completed = has('outcome') && p?.status === 'captured';
  if (!completed && s.discount === 'claimed') return act({ type: 'ReleaseDiscount', reason: 'renewal_not_paid' });
  if (!completed && p && (p.status === 'requires_action' || p.status === 'approved'))
    return s.rejected?.operation === 'cancel' ? { kind: 'done' } : retrying(s, t, { type: 'Cancel', providerPaymentId: p.id });
  // Money taken for a renewal that did not complete (a capture reported after we gave up) goes back.
  const voidId = `void-${r.paymentId}`;
  const refunds =
    !completed && p?.status === 'captured'
      ? [{ refundId: voidId, amountMinor: p.amount.amountMinor, reason: 'renewal_not_completed' }]
      : s.refunds;
  for (const refund of refunds) {
    if (s.refunds.find((x) => x.refundId === refund.refundId)?.rejected) continue;
    const atProvider = p?.refunds.some((x) => x.reference === refund.refundId);
    if (!atProvider) return retrying(s, t, { type: 'Refund', providerPaymentId: p!.id, ...refund });
    if (completed && !has(`refund:${refund.refundId}`)) return act({ type: 'RecordRefundOnCard', ...refund });
  }
  if (completed)
    for (const d of p.disputes)
      if (!has(`dispute:${d.id}:${d.status}`))
        return act({ type: 'RecordChargebackOnCard', disputeId: d.id, status: d.status, amountMinor: d.amountMinor });
  return { kind: 'done' };
};

/** The provider did not answer the last time: the same operation again once its backoff has passed. */
const retrying = (s: PaymentProcess, t: number, action: ProcessAction): NextStep => {
  if (s.unreachable && t < at(s.unreachable.retryAt)) return { kind: 'wait', until: s.unreachable.retryAt };
  return act(action);
};

const lookupOrWait = (s: PaymentProcess, t: number, policy: LookupPolicy): NextStep => {
  const r = s.request!;
  const gap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, s.lookups - 1));
  const due = Math.max(at(r.confirmBy), s.lastLookupAt ? at(s.lastLookupAt) + gap : 0, s.unreachable ? at(s.unreachable.retryAt) : 0);
  if (t >= due) return act({ type: 'Lookup' });
  return { kind: 'wait', until: new Date(Math.min(due, at(r.abandonBy))).toISOString() };
};
