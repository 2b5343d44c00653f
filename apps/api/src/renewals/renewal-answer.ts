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
  if (s.cardSteps.includes('outcome')) {
    if (p?.status === 'captured') return { ...base, status: 'completed' };
    const reason = p?.failureReason ?? (s.rejected ? `provider_rejected_${s.rejected.code}` : 'unknown_at_provider');
    return { ...base, status: 'failed', reason };
  }
  if (s.cardSteps.includes('abandoned'))
    return { ...base, status: 'abandoned', reason: p?.status === 'canceled' ? 'not_confirmed_in_time' : 'provider_unreachable' };
  const next = p?.status === 'requires_action' && p.nextAction ? { nextAction: { ...p.nextAction } } : {};
  return { ...base, status: 'pending', ...next };
};
