import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  DomainError,
  RenewalReminderDue,
  autoRenewDecider,
  autoRenewStreamId,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import { StreamStates, deterministicId, handleCommand } from '@ledger/event-store';
import { Identity } from '@ledger/identity';
import { GetOffersQuery, Offers } from '../renewals/get-offers.query';
import { RenewSubscriptionCommand } from '../renewals/renew-subscription.command';
import { unsealToken } from '../renewals/payment-token';

const ACTOR = 'system:auto-renew';

/**
 * Answers a renewal reminder for a card whose owner opted in: the mandate records the attempt
 * against the month's cap first (or skips it, over the cap), then the renewal goes through the same
 * command as the owner's own, keyed by the reminder: a retry, a replay or a second instance renews
 * once. A refusal in words (a renewal already under way, the plan gone) or a saved method that can no
 * longer be opened is logged, not retried; anything else (the store) throws, and the watch reads the
 * batch again after a backoff.
 */
export const autoRenewer =
  (deps: { states: StreamStates; commands: CommandBus; queries: QueryBus; identity: Pick<Identity, 'vault'>; log: (m: string) => void }) =>
  async (subscriptionId: string, reminder: RenewalReminderDue['data'], causationId: string): Promise<void> => {
    const stream = autoRenewStreamId(subscriptionId);
    const { state } = await deps.states.current(stream, autoRenewDecider);
    if (state.status !== 'On') return;
    // Renewed or renewing since the reminder (by the owner, or for another reminder): nothing to answer.
    const { state: card } = await deps.states.current(subscriptionStreamId(subscriptionId), subscriptionDecider);
    if (card.status !== 'Active' || card.pendingRenewalId !== null || card.expiresAt !== reminder.expiresAt) return;
    const idempotencyKey = `auto-renew:${reminder.reminderId}`;
    const renewalId = deterministicId('renewal', subscriptionId, idempotencyKey);
    const now = new Date().toISOString();
    const offers: Offers | null = await deps.queries.execute(new GetOffersQuery(subscriptionId, undefined, now)).catch((err) => {
      if (err instanceof DomainError) return null;
      throw err;
    });
    if (!offers) return deps.log(`auto-renew: card ${subscriptionId} cannot be priced now`);
    const offer = offers.offers.find((o) => o.planId === state.planId);
    if (!offer) return deps.log(`auto-renew: plan ${state.planId} is no longer sold for card ${subscriptionId}`);
    const metadata = { commandId: idempotencyKey, correlationId: causationId, causationId, actor: ACTOR, idempotencyKey };
    const answered = await handleCommand(
      deps.states,
      stream,
      autoRenewDecider,
      { type: 'AnswerReminder', reminderId: reminder.reminderId, periodEnd: reminder.expiresAt, renewalId, price: offer.price, now },
      { metadata },
    );
    const mandate = answered.state;
    if (mandate.status !== 'On' || mandate.attempted[reminder.reminderId] !== renewalId) return;
    const ctx = { commandId: idempotencyKey, correlationId: causationId, actor: ACTOR, now };
    let token: string;
    try {
      token = unsealToken(deps.identity.vault, mandate.sealedToken);
    } catch (err) {
      // Not transient (the data key changed): retrying would stall the watch for every card.
      return deps.log(
        `auto-renew: card ${subscriptionId}: the saved payment method cannot be opened (${(err as Error).message}); the owner must set it again`,
      );
    }
    try {
      await deps.commands.execute(
        new RenewSubscriptionCommand(subscriptionId, idempotencyKey, mandate.planId, mandate.paymentMethod, token, undefined, ctx),
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      deps.log(`auto-renew: card ${subscriptionId} not renewed for ${reminder.reminderId}: ${err.message}`);
    }
  };
