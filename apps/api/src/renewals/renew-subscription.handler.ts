import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  ActiveCard,
  Card,
  DomainError,
  Plan,
  PromotionRules,
  RenewalRecord,
  SelectPlan,
  accountDecider,
  accountStreamId,
  findPlan,
  firstOrderEligible,
  quotePrice,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import { EventMetadata, EventStore, Folded, StreamStates, deterministicId, handleCommand } from '@ledger/event-store';
import { PAYMENT_GATEWAY, PaymentGateway } from '@ledger/payments';
import { eventMetadata } from '../http/request-context';
import { EVENT_STORE, IDENTITY, PROMOTION_RULES, STREAM_STATES } from '../infrastructure/tokens';
import { Identity, PersonalDataVault } from '@ledger/identity';
import { RenewSubscriptionRequestDto } from './renew-subscription.request.dto';
import { RenewSubscriptionCommand, RenewalAnswer } from './renew-subscription.command';

/**
 * Fingerprints the body (payment token included) so a reused key with another body is refused. It
 * is keyed (HMAC): a bare SHA-256 stored in the event would let anyone holding the log confirm a
 * guessed card token. (Renewals stored before this change carry the bare digest; retrying one of
 * those keys now answers IDEMPOTENCY_KEY_REUSED.)
 */
const fingerprintRequest = (vault: PersonalDataVault, body: RenewSubscriptionRequestDto): string =>
  vault.fingerprint(
    'renewal-request',
    JSON.stringify([body.planId, body.paymentMethod.type, body.paymentMethod.token, body.promotionCode ?? null]),
  );

const renewalIdOf = (e: { data: unknown }): string | undefined => (e.data as { renewalId?: string }).renewalId;

/** `position` is the card's head when answered: at or after the renewal's last event, so read-your-writes holds. */
const answer = (position: bigint, record: RenewalRecord): RenewalAnswer => ({
  renewalId: record.renewalId,
  status: record.status,
  ...(record.reason ? { reason: record.reason } : {}),
  position: position.toString(),
});

/**
 * PlanSelected → capture at the provider → PaymentCaptured + ValidityExtended (or PaymentFailed).
 * The renewal id, the payment id and every event id derive from the Idempotency-Key, so a retry
 * of any step (after a timeout, a crash, a conflict) resumes the same renewal and charges once.
 */
@CommandHandler(RenewSubscriptionCommand)
export class RenewSubscriptionHandler implements ICommandHandler<RenewSubscriptionCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(STREAM_STATES) private readonly states: StreamStates,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(PROMOTION_RULES) private readonly rules: PromotionRules,
    @Inject(IDENTITY) private readonly identity: Pick<Identity, 'vault'>,
  ) {}

  /**
   * Starts from the card as the store has it (the cached state plus the events after it): a
   * renewal claims discounts and captures money, so it never decides those on a state that may be
   * behind another process's writes.
   */
  async execute(cmd: RenewSubscriptionCommand): Promise<RenewalAnswer> {
    return this.renew(cmd, await this.states.current(subscriptionStreamId(cmd.subscriptionId), subscriptionDecider));
  }

  private async renew(cmd: RenewSubscriptionCommand, current: Folded<Card>): Promise<RenewalAnswer> {
    const { subscriptionId, idempotencyKey, body } = cmd;
    const renewalId = deterministicId('renewal', subscriptionId, idempotencyKey);
    const requestHash = fingerprintRequest(this.identity.vault, body);
    const streamId = subscriptionStreamId(subscriptionId);
    const card = current.state;
    if (card.status !== 'Active') throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not exist`);
    const previous = card.renewals[renewalId];
    if (previous && previous.requestHash !== requestHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
        'Idempotency-Key',
      );
    }
    if (previous && previous.status !== 'pending') {
      // A crash between PaymentFailed and the release must not keep the discount locked: retries finish it.
      if (previous.status === 'failed')
        await this.releaseFirstOrder(
          card.accountId,
          renewalId,
          previous.reason ?? 'payment_failed',
          eventMetadata(cmd.ctx, idempotencyKey),
          cmd.ctx.now,
        );
      return answer(current.position, previous);
    }

    const plan = findPlan(body.planId);
    if (!plan) throw new DomainError('PLAN_NOT_FOUND', `plan ${body.planId} does not exist`, 'planId');
    const metadata = eventMetadata(cmd.ctx, idempotencyKey);
    const selected = previous
      ? { state: card, position: current.position, appended: [] }
      : await this.selectPlan(cmd, card, plan, renewalId, requestHash, metadata);
    const record = (selected.state as ActiveCard).renewals[renewalId];
    // Failed meanwhile (another process ran this key): the discount this call may have claimed goes back.
    if (record.status === 'failed')
      await this.releaseFirstOrder(card.accountId, renewalId, record.reason ?? 'payment_failed', metadata, cmd.ctx.now);
    if (record.status !== 'pending') return answer(selected.position, record);
    const planSelected =
      selected.appended.find((e) => e.type === 'PlanSelected')?.id ?? (await this.planSelectedEventId(streamId, renewalId));
    return this.pay(cmd, record, planSelected, metadata);
  }

  /** Only when resuming a renewal left pending (a crash, a lost answer): the cause of its outcome. */
  private async planSelectedEventId(streamId: string, renewalId: string): Promise<string | undefined> {
    const stream = await this.store.readStream(streamId);
    return stream.find((e) => e.type === 'PlanSelected' && renewalIdOf(e) === renewalId)?.id;
  }

  private async selectPlan(
    cmd: RenewSubscriptionCommand,
    card: ActiveCard,
    plan: Plan,
    renewalId: string,
    requestHash: string,
    metadata: EventMetadata,
  ) {
    const { subscriptionId, body, ctx } = cmd;
    const accountStream = accountStreamId(card.accountId);
    let firstOrderOffered = true;
    for (;;) {
      const account = (await this.states.current(accountStream, accountDecider)).state;
      const eligible = firstOrderOffered && firstOrderEligible(account, renewalId);
      const quote = quotePrice({ plan, now: ctx.now, firstOrderEligible: eligible, promotionCode: body.promotionCode, rules: this.rules });
      const command: SelectPlan = {
        type: 'SelectPlan',
        renewalId,
        plan,
        quote,
        paymentMethod: body.paymentMethod.type,
        requestHash,
        now: ctx.now,
      };
      subscriptionDecider.decide(command, card); // refuse early, before claiming a one-time discount
      const claims = quote.discounts.some((d) => d.kind === 'first_order');
      if (claims) {
        try {
          // A claim after a release is a new fact, not a retry of the first claim: ids per revision.
          const claim = { type: 'ClaimFirstOrderDiscount' as const, renewalId, subscriptionId, now: ctx.now };
          await handleCommand(this.states, accountStream, accountDecider, claim, {
            metadata,
            step: `claim:${renewalId}`,
            idsPerRevision: true,
          });
        } catch (err) {
          // Another renewal of this account claimed it first: price again without it.
          if (err instanceof DomainError && err.code === 'PROMOTION_NOT_APPLICABLE') {
            firstOrderOffered = false;
            continue;
          }
          throw err;
        }
      }
      try {
        return await handleCommand(this.states, subscriptionStreamId(subscriptionId), subscriptionDecider, command, {
          metadata,
          step: 'select',
        });
      } catch (err) {
        if (claims && (await this.selectionRefused(err, subscriptionId, renewalId))) {
          await this.releaseFirstOrder(card.accountId, renewalId, 'renewal_refused', metadata, ctx.now);
        }
        throw err;
      }
    }
  }

  /**
   * Release a claim only when this renewal's PlanSelected is certainly not written: a lost
   * acknowledgement, or the same key racing with another body, must keep the discount claimed.
   */
  private async selectionRefused(err: unknown, subscriptionId: string, renewalId: string): Promise<boolean> {
    if (!(err instanceof DomainError) || err.code === 'IDEMPOTENCY_KEY_REUSED') return false;
    const card = (await this.states.current(subscriptionStreamId(subscriptionId), subscriptionDecider)).state;
    return card.status !== 'Active' || card.renewals[renewalId] === undefined;
  }

  private async pay(
    cmd: RenewSubscriptionCommand,
    record: RenewalRecord,
    planSelectedId: string | undefined,
    metadata: EventMetadata,
  ): Promise<RenewalAnswer> {
    const { subscriptionId, body, ctx, idempotencyKey } = cmd;
    const outcome = await this.gateway.capture({
      paymentId: deterministicId('payment', record.renewalId),
      amount: record.price,
      method: record.paymentMethod,
      token: body.paymentMethod.token,
    });
    const now = new Date().toISOString();
    const result = await handleCommand(
      this.states,
      subscriptionStreamId(subscriptionId),
      subscriptionDecider,
      { type: 'RecordPaymentOutcome', renewalId: record.renewalId, outcome, now },
      { metadata: eventMetadata(ctx, idempotencyKey, planSelectedId), step: 'outcome' },
    );
    const card = result.state as ActiveCard;
    if (outcome.status === 'failed') await this.releaseFirstOrder(card.accountId, record.renewalId, outcome.reason, metadata, now);
    return answer(result.position, card.renewals[record.renewalId]);
  }

  /** A no-op unless this renewal holds the claim (the decider checks). */
  private async releaseFirstOrder(
    accountId: string,
    renewalId: string,
    reason: string,
    metadata: EventMetadata,
    now: string,
  ): Promise<void> {
    const release = { type: 'ReleaseFirstOrderDiscount' as const, renewalId, reason, now };
    await handleCommand(this.states, accountStreamId(accountId), accountDecider, release, {
      metadata,
      step: `release:${renewalId}`,
      idsPerRevision: true,
    });
  }
}
