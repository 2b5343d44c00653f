import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  ActiveCard,
  DomainError,
  DomainErrorCode,
  PaymentProcess,
  PromotionRules,
  RenewalRequested,
  accountDecider,
  accountStreamId,
  findPlan,
  firstOrderEligible,
  quotePrice,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import { StreamStates, deterministicId } from '@ledger/event-store';
import { PaymentProcessRunner, paymentIdOf } from '@ledger/payments';
import { LEDGER_CONFIG, LedgerConfig } from '@ledger/config';
import { Identity } from '@ledger/identity';
import { eventMetadata } from '../http/request-context';
import { IDENTITY, PAYMENT_PROCESSES, PROMOTION_RULES, STREAM_STATES } from '../infrastructure/tokens';
import { RenewSubscriptionCommand, RenewalAnswer } from './renew-subscription.command';
import { renewalAnswer } from './renewal-answer';
import { sealToken } from './payment-token';

/**
 * Fingerprints the body (payment token included) so a reused key with another body is refused. It
 * is keyed (HMAC): a bare SHA-256 stored in the event would let anyone holding the log confirm a
 * guessed card token.
 */
const fingerprintRequest = (identity: Pick<Identity, 'vault'>, cmd: RenewSubscriptionCommand): string =>
  identity.vault.fingerprint('renewal-request', JSON.stringify([cmd.planId, cmd.method, cmd.token, cmd.promotionCode ?? null]));

/**
 * Starts (or resumes) the renewal's payment process and answers within the budget: completed or
 * failed when the provider answered in time, else pending with what the owner must do next. The
 * process finishes on its own either way; a retry with the same key only reads where it is.
 */
@CommandHandler(RenewSubscriptionCommand)
export class RenewSubscriptionHandler implements ICommandHandler<RenewSubscriptionCommand> {
  constructor(
    @Inject(STREAM_STATES) private readonly states: StreamStates,
    @Inject(PAYMENT_PROCESSES) private readonly processes: PaymentProcessRunner,
    @Inject(PROMOTION_RULES) private readonly rules: PromotionRules,
    @Inject(IDENTITY) private readonly identity: Pick<Identity, 'vault'>,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(cmd: RenewSubscriptionCommand): Promise<RenewalAnswer> {
    const renewalId = deterministicId('renewal', cmd.subscriptionId, cmd.idempotencyKey);
    const paymentId = paymentIdOf(renewalId);
    const requestHash = fingerprintRequest(this.identity, cmd);
    const cardStream = subscriptionStreamId(cmd.subscriptionId);
    const [{ state: card }, known] = await Promise.all([
      this.states.current(cardStream, subscriptionDecider),
      this.processes.state(paymentId),
    ]);
    if (card.status !== 'Active') throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${cmd.subscriptionId} does not exist`);
    const request = known.request ?? (await this.priced(cmd, card, this.request(cmd, card, renewalId, paymentId, requestHash)));
    const metadata = eventMetadata(cmd.ctx, cmd.idempotencyKey);
    const started = this.processes.receive(paymentId, { type: 'StartRenewal', request: { ...request, requestHash } }, metadata);
    const state = await this.within(started, paymentId);
    if (state.card === 'refused' && state.refusal) throw new DomainError(state.refusal.code as DomainErrorCode, state.refusal.message);
    const position = (await this.states.current(cardStream, subscriptionDecider)).position;
    return renewalAnswer(state, cmd.subscriptionId, position);
  }

  /** The process as it stands when the budget runs out; it goes on in the background. */
  private async within(started: Promise<PaymentProcess>, paymentId: string): Promise<PaymentProcess> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.config.payments.answerBudgetMs)));
    // A failure after the answer was sent is the process's own to retry; it must not go unhandled.
    started.catch(() => undefined);
    try {
      return (await Promise.race([started, budget])) ?? (await this.processes.state(paymentId));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Refuses early what the card would refuse, then prices the renewal as the owner sees it now. */
  private request(
    cmd: RenewSubscriptionCommand,
    card: ActiveCard,
    renewalId: string,
    paymentId: string,
    requestHash: string,
  ): RenewalRequested['data'] {
    const previous = card.renewals[renewalId];
    if (previous && previous.requestHash !== requestHash)
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
        'Idempotency-Key',
      );
    const plan = findPlan(cmd.planId);
    if (!plan) throw new DomainError('PLAN_NOT_FOUND', `plan ${cmd.planId} does not exist`, 'planId');
    const now = cmd.ctx.now;
    return {
      paymentId,
      renewalId,
      subscriptionId: cmd.subscriptionId,
      accountId: card.accountId,
      planId: plan.planId,
      paymentMethod: cmd.method,
      sealedToken: sealToken(this.identity.vault, cmd.token),
      quote: { listPrice: plan.listPrice, discounts: [], price: plan.listPrice },
      promotionCode: cmd.promotionCode ?? null,
      requestHash,
      origin: { actor: cmd.ctx.actor, correlationId: cmd.ctx.correlationId, idempotencyKey: cmd.idempotencyKey },
      requestedAt: now,
      confirmBy: new Date(Date.parse(now) + this.config.payments.confirmAfterMs).toISOString(),
      abandonBy: new Date(Date.parse(now) + this.config.payments.abandonAfterMs).toISOString(),
    };
  }

  /** The quote, and the card's own refusal (another renewal pending, another region) before anything is written. */
  private async priced(
    cmd: RenewSubscriptionCommand,
    card: ActiveCard,
    request: RenewalRequested['data'],
  ): Promise<RenewalRequested['data']> {
    const plan = findPlan(request.planId)!;
    const account = (await this.states.current(accountStreamId(card.accountId), accountDecider)).state;
    const quote = quotePrice({
      plan,
      now: request.requestedAt,
      firstOrderEligible: firstOrderEligible(account, request.renewalId),
      promotionCode: cmd.promotionCode,
      rules: this.rules,
    });
    subscriptionDecider.decide(
      {
        type: 'SelectPlan',
        renewalId: request.renewalId,
        plan,
        quote,
        paymentMethod: request.paymentMethod,
        requestHash: request.requestHash,
        now: request.requestedAt,
      },
      card,
    );
    return { ...request, quote: { ...quote, discounts: [...quote.discounts] } };
  }
}
