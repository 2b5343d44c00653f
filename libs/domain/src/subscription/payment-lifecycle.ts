import { DomainError } from '../shared/domain-error';
import { AbandonRenewal, RecordChargeback, RecordPaymentAction, RecordRefund } from './subscription.commands';
import { EntitlementRevoked, SubscriptionEvent } from './subscription.events';
import { ActiveCard, Card, RenewalRecord, evolve } from './subscription.state';
import { revokeEntitlement } from './entitlement';

/**
 * What happens to a renewal's payment besides capture and failure: an action the owner must take,
 * abandonment, refunds and chargebacks. Every command here may arrive again (a retried webhook, a
 * resumed process): a repeat answers no events.
 */
const opened = (s: Card): ActiveCard => {
  if (s.status !== 'Active') throw new DomainError('SUBSCRIPTION_NOT_FOUND', 'subscription does not exist');
  return s;
};

const renewalOf = (s: ActiveCard, renewalId: string): RenewalRecord => {
  const r = s.renewals[renewalId];
  if (!r) throw new DomainError('RENEWAL_NOT_FOUND', `renewal ${renewalId} does not exist on this card`, 'renewalId');
  return r;
};

const paid = (r: RenewalRecord): Required<Pick<RenewalRecord, 'compensation' | 'paymentId'>> & RenewalRecord => {
  if (!r.compensation || !r.paymentId) throw new DomainError('RENEWAL_NOT_PAID', `renewal ${r.renewalId} was never paid`, 'renewalId');
  return r as Required<Pick<RenewalRecord, 'compensation' | 'paymentId'>> & RenewalRecord;
};

export const recordPaymentAction = (c: RecordPaymentAction, state: Card): SubscriptionEvent[] => {
  const s = opened(state);
  const r = renewalOf(s, c.renewalId);
  if (r.status !== 'pending') return [];
  const { renewalId, paymentId, action, url, now } = c;
  return [{ type: 'PaymentActionRequired', data: { renewalId, paymentId, action, url, requiredAt: now } }];
};

export const abandonRenewal = (c: AbandonRenewal, state: Card): SubscriptionEvent[] => {
  const s = opened(state);
  const r = renewalOf(s, c.renewalId);
  if (r.status !== 'pending') return [];
  return [{ type: 'RenewalAbandoned', data: { renewalId: c.renewalId, paymentId: c.paymentId, reason: c.reason, abandonedAt: c.now } }];
};

/** The events, then the revocation decided on the card as they leave it. */
const withRevocation = (s: ActiveCard, events: SubscriptionEvent[], make: (after: ActiveCard) => EntitlementRevoked | null) => {
  const after = events.reduce((st, e) => evolve(st, e), s as Card) as ActiveCard;
  const revoked = make(after);
  return revoked ? [...events, revoked] : events;
};

export const recordRefund = (c: RecordRefund, state: Card): SubscriptionEvent[] => {
  const s = opened(state);
  const r = paid(renewalOf(s, c.renewalId));
  if (r.compensation.refundIds.includes(c.refundId)) return [];
  const total = r.compensation.refundedMinor + c.amount.amountMinor;
  // What a lost chargeback already took back cannot be refunded a second time.
  const back = total + r.compensation.lostMinor;
  if (c.amount.currency !== r.price.currency || c.amount.amountMinor <= 0 || back > r.compensation.paidMinor) {
    throw new DomainError('REFUND_EXCEEDS_PAYMENT', `refunds of renewal ${r.renewalId} cannot exceed what was paid`, 'amountMinor');
  }
  const refunded: SubscriptionEvent = {
    type: 'PaymentRefunded',
    data: {
      renewalId: r.renewalId,
      paymentId: r.paymentId,
      refundId: c.refundId,
      amount: c.amount,
      refundedTotal: { amountMinor: total, currency: c.amount.currency },
      reason: c.reason,
      refundedAt: c.now,
    },
  };
  return withRevocation(s, [refunded], (after) => revokeEntitlement(after, after.renewals[r.renewalId], 'refund', c.refundId, c.now));
};

const ORDER = { open: 0, won: 1, lost: 1 } as const;

export const recordChargeback = (c: RecordChargeback, state: Card): SubscriptionEvent[] => {
  const s = opened(state);
  const r = paid(renewalOf(s, c.renewalId));
  const known = r.compensation.disputes[c.disputeId];
  // A dispute only moves forward; a report older than what we hold changes nothing.
  if (known !== undefined && ORDER[known] >= ORDER[c.status]) return [];
  const base = { renewalId: r.renewalId, paymentId: r.paymentId, disputeId: c.disputeId, amount: c.amount };
  const events: SubscriptionEvent[] = [];
  if (known === undefined) events.push({ type: 'ChargebackOpened', data: { ...base, openedAt: c.now } });
  if (c.status !== 'open') events.push({ type: 'ChargebackResolved', data: { ...base, outcome: c.status, resolvedAt: c.now } });
  if (c.status !== 'lost') return events;
  return withRevocation(s, events, (after) => revokeEntitlement(after, after.renewals[r.renewalId], 'chargeback', c.disputeId, c.now));
};
