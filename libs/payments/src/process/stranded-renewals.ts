import { PlanSelected, RenewalRequested, subscriptionDecider, subscriptionStreamId } from '@ledger/domain';
import { EventStore, StreamStates } from '@ledger/event-store';
import { paymentIdOf } from './payment-id';
import { PaymentProcessRunner } from './payment-process-runner';

/** A card the read model shows reserved by a renewal (subscription id, pending renewal id). */
export interface PendingCard {
  readonly subscriptionId: string;
  readonly renewalId: string;
}

/**
 * Renewals left pending by the request-handler saga of earlier versions have no payment process, and
 * their card refuses every other renewal until the same request is retried. Each one is adopted by a
 * process that never charges (its confirm time is now, and the old token was never stored): it looks
 * the payment up at the provider by its reference, completes the card if it was captured, fails it
 * (and gives a claimed first-order discount back) if the provider never saw it, and abandons it if the
 * provider stays silent past the bound. Answers how many it adopted.
 */
export const adoptStrandedRenewals = async (
  pending: readonly PendingCard[],
  deps: { store: EventStore; states: StreamStates; runner: PaymentProcessRunner; abandonAfterMs: number; now: () => Date },
): Promise<number> => {
  let adopted = 0;
  for (const { subscriptionId, renewalId } of pending) {
    const paymentId = paymentIdOf(renewalId);
    if ((await deps.runner.state(paymentId)).request) continue;
    const stream = subscriptionStreamId(subscriptionId);
    const card = (await deps.states.current(stream, subscriptionDecider)).state;
    if (card.status !== 'Active' || card.pendingRenewalId !== renewalId) continue;
    const selected = (await deps.store.readStream(stream)).find(
      (e) => e.type === 'PlanSelected' && (e.data as PlanSelected['data']).renewalId === renewalId,
    );
    if (!selected) continue;
    const d = selected.data as PlanSelected['data'];
    const m = selected.metadata as { actor?: string; correlationId?: string; idempotencyKey?: string };
    const now = deps.now().toISOString();
    const request: RenewalRequested['data'] = {
      paymentId,
      renewalId,
      subscriptionId,
      accountId: card.accountId,
      planId: d.planId,
      paymentMethod: d.paymentMethod,
      sealedToken: 'none',
      quote: { listPrice: d.listPrice, discounts: d.discounts, price: d.price },
      promotionCode: null,
      requestHash: d.requestHash,
      origin: { actor: m.actor ?? 'unknown', correlationId: m.correlationId ?? renewalId, idempotencyKey: m.idempotencyKey ?? renewalId },
      requestedAt: now,
      confirmBy: now,
      abandonBy: new Date(Date.parse(now) + deps.abandonAfterMs).toISOString(),
    };
    const metadata = {
      commandId: `adopt:${paymentId}`,
      correlationId: request.origin.correlationId,
      causationId: selected.id,
      actor: 'process:payment',
      idempotencyKey: request.origin.idempotencyKey,
    };
    await deps.runner.receive(paymentId, { type: 'StartRenewal', request }, metadata);
    adopted++;
  }
  return adopted;
};
