import { PaymentProcess } from '@ledger/domain';
import { RenewalAnswer } from './renew-subscription.command';

/** What a renewal request answers, read off its payment process. */
export const renewalAnswer = (s: PaymentProcess, subscriptionId: string, position: bigint): RenewalAnswer => {
  const r = s.request!;
  const base = {
    renewalId: r.renewalId,
    links: { self: `/v1/subscriptions/${subscriptionId}/renewals/${r.renewalId}` },
    position: position.toString(),
  };
  const p = s.payment;
  if (s.cardSteps.includes('outcome:captured')) return { ...base, status: 'completed' };
  if (s.cardSteps.includes('outcome:failed')) return { ...base, status: 'failed', reason: s.endReason ?? 'payment_failed' };
  if (s.cardSteps.includes('abandoned')) return { ...base, status: 'abandoned', reason: s.endReason ?? 'not_confirmed_in_time' };
  const next = p?.status === 'requires_action' && p.nextAction ? { nextAction: { ...p.nextAction } } : {};
  return { ...base, status: 'pending', ...next };
};
