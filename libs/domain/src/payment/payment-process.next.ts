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
  const t = at(now);
  const closed = s.cardSteps.some((x) => x.startsWith('outcome:')) || s.cardSteps.includes('abandoned');
  return closed ? afterTheCard(s, t, policy) : beforeTheCard(s, t, policy);
};

/** The card still waits for this renewal's outcome. */
const beforeTheCard = (s: PaymentProcess, t: number, policy: LookupPolicy): NextStep => {
  const r = s.request!;
  const p = s.payment;
  const fail = (reason: string): NextStep => act({ type: 'RecordOutcome', outcome: { status: 'failed', paymentId: r.paymentId, reason } });
  if (p?.status === 'captured') {
    // Money that does not match the price is not an entitlement: the renewal ends and it goes back.
    const same = p.amount.amountMinor === s.quote!.price.amountMinor && p.amount.currency === s.quote!.price.currency;
    if (!same) return act({ type: 'AbandonOnCard', reason: 'amount_mismatch' });
    const fee = p.feeMinor !== undefined ? { fee: { amountMinor: p.feeMinor, currency: p.amount.currency } } : {};
    return act({
      type: 'RecordOutcome',
      outcome: { status: 'captured', paymentId: r.paymentId, amount: p.amount, providerReference: p.id, ...fee },
    });
  }
  if (p?.status === 'failed') return fail(p.failureReason ?? 'payment_failed');
  if (p?.status === 'canceled') return act({ type: 'AbandonOnCard', reason: 'not_confirmed_in_time' });
  // The provider refused to create the payment: it never will.
  if (s.rejected?.operation === 'charge') return fail(`provider_rejected_${s.rejected.code}`);
  if (s.unknownAtProvider) return fail('unknown_at_provider');
  const past = (iso: string) => t >= at(iso);
  // A refused capture or cancel says nothing of the payment's state: ask for it.
  if (s.rejected) return lookupOrWait(s, t, policy, true);
  // An owner's approval is honoured whenever it comes: the money is then taken and the card extended.
  if (p?.status === 'approved') return retrying(s, t, policy, { type: 'Capture', providerPaymentId: p.id });
  if (p?.status === 'requires_action') {
    if (!s.cardSteps.includes('action') && p.nextAction)
      return act({ type: 'RecordAction', action: p.nextAction.type, url: p.nextAction.url });
    if (past(r.abandonBy))
      return s.cancelRefused
        ? act({ type: 'AbandonOnCard', reason: 'not_confirmed_in_time' })
        : retrying(s, t, policy, { type: 'Cancel', providerPaymentId: p.id });
    return lookupOrWait(s, t, policy);
  }
  if (past(r.abandonBy)) return act({ type: 'AbandonOnCard', reason: 'provider_unreachable' });
  if (past(r.confirmBy)) return lookupOrWait(s, t, policy);
  return retrying(s, t, policy, { type: 'Charge' });
};

/** Lookups after a renewal was abandoned without the provider's word, so a charge that landed is found. */
const FINAL_LOOKUPS = 12;

/** The card has its outcome: what is still owed (a discount, money back, refunds and disputes). */
const afterTheCard = (s: PaymentProcess, t: number, policy: LookupPolicy): NextStep => {
  const r = s.request!;
  const p = s.payment;
  const has = (step: string) => s.cardSteps.includes(step);
  const completed = has('outcome:captured') && p?.status === 'captured';
  if (!completed && s.discount === 'claimed') return act({ type: 'ReleaseDiscount', reason: 'renewal_not_paid' });
  if (!completed && p && (p.status === 'requires_action' || p.status === 'approved') && !s.cancelRefused)
    return retrying(s, t, policy, { type: 'Cancel', providerPaymentId: p.id });
  // Ended without the provider's word (abandoned, or failed as unknown there): a charge that landed late is still found.
  const uncertain = has('abandoned') || (has('outcome:failed') && s.unknownAtProvider);
  if (!completed && uncertain && (!p || p.status === 'requires_action' || p.status === 'approved') && s.lookups < FINAL_LOOKUPS)
    return lookupOrWait(s, t, policy, true);
  // Money taken for a renewal that did not complete (a capture reported after we gave up) goes back.
  const owed =
    !completed && p?.status === 'captured'
      ? [{ refundId: `void-${r.paymentId}`, amountMinor: p.amount.amountMinor - refundedAtProvider(p), reason: 'renewal_not_completed' }]
      : s.refunds;
  for (const refund of owed) {
    if (s.refundRejections[refund.refundId] || refund.amountMinor <= 0) continue;
    const atProvider = p?.refunds.some((x) => x.reference === refund.refundId);
    if (!atProvider) return retrying(s, t, policy, { type: 'Refund', providerPaymentId: p!.id, ...refund });
    if (completed && !has(`refund:${refund.refundId}`)) return act({ type: 'RecordRefundOnCard', ...refund });
  }
  if (completed)
    for (const d of p.disputes)
      if (!has(`dispute:${d.id}:${d.status}`))
        return act({ type: 'RecordChargebackOnCard', disputeId: d.id, status: d.status, amountMinor: d.amountMinor });
  return { kind: 'done' };
};

const refundedAtProvider = (p: NonNullable<PaymentProcess['payment']>): number =>
  p.refunds.filter((x) => !x.reference.startsWith('void-')).reduce((sum, x) => sum + x.amountMinor, 0);

/**
 * The same operation again once its backoff has passed: after no answer (the provider's own retry
 * time), or after an answer that did not move the payment (a capture still pending, say).
 */
const retrying = (s: PaymentProcess, t: number, policy: LookupPolicy, action: ProcessAction): NextStep => {
  if (s.unreachable && t < at(s.unreachable.retryAt)) return { kind: 'wait', until: s.unreachable.retryAt };
  const op = action.type.toLowerCase();
  if (s.stalled && s.stalled.operation === op) {
    const due = at(s.stalled.at) + Math.min(policy.maxMs, policy.baseMs * 2 ** (s.stalled.count - 1));
    if (t < due) return { kind: 'wait', until: new Date(due).toISOString() };
  }
  return act(action);
};

/** A lookup when due: from confirmBy (or at once when `now`), then with a growing gap between lookups. */
const lookupOrWait = (s: PaymentProcess, t: number, policy: LookupPolicy, now = false): NextStep => {
  const r = s.request!;
  const gap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, s.lookups - 1));
  const start = now ? 0 : at(r.confirmBy);
  const due = Math.max(start, s.lastLookupAt ? at(s.lastLookupAt) + gap : 0, s.unreachable ? at(s.unreachable.retryAt) : 0);
  if (t >= due) return act({ type: 'Lookup' });
  return { kind: 'wait', until: new Date(now ? due : Math.min(due, at(r.abandonBy))).toISOString() };
};
