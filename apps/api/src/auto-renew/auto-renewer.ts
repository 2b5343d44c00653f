import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError, RenewalReminderDue, autoRenewDecider, autoRenewStreamId } from '@ledger/domain';
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
 * once. A refusal in words (a renewal already under way, the plan gone) is logged, not retried.
 */
export const autoRenewer =
  (deps: { states: StreamStates; commands: CommandBus; queries: QueryBus; identity: Pick<Identity, 'vault'>; log: (m: string) => void }) =>
  async (subscriptionId: string, reminder: RenewalReminderDue['data'], causationId: string): Promise<void> => {
    const stream = autoRenewStreamId(subscriptionId);
    const { state } = await deps.states.current(stream, autoRenewDecider);
    if (state.status !== 'On') return;
    const idempotencyKey = `auto-renew:${reminder.reminderId}`;
    const renewalId = deterministicId('renewal', subscriptionId, idempotencyKey);
    const now = new Date().toISOString();
    const offers: Offers = await deps.queries.execute(new GetOffersQuery(subscriptionId, undefined, now));
    const offer = offers.offers.find((o) => o.planId === state.planId);
    if (!offer) return deps.log(`auto-renew: plan ${state.planId} is no longer sold for card ${subscriptionId}`);
    const metadata = { commandId: idempotencyKey, correlationId: causationId, causationId, actor: ACTOR, idempotencyKey };
    const answered = await handleCommand(
      deps.states,
      stream,
      autoRenewDecider,
      { type: 'AnswerReminder', reminderId: reminder.reminderId, renewalId, price: offer.price, now },
      { metadata },
    );
    const mandate = answered.state;
    if (mandate.status !== 'On' || mandate.attempted[reminder.reminderId] !== renewalId) return;
    const ctx = { commandId: idempotencyKey, correlationId: causationId, actor: ACTOR, now };
    try {
      await deps.commands.execute(
        new RenewSubscriptionCommand(
          subscriptionId,
          idempotencyKey,
          mandate.planId,
          mandate.paymentMethod,
          unsealToken(deps.identity.vault, mandate.sealedToken),
          undefined,
          ctx,
        ),
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      deps.log(`auto-renew: card ${subscriptionId} not renewed for ${reminder.reminderId}: ${err.message}`);
    }
  };
