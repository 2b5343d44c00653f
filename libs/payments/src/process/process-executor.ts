import { paymentsTotal } from '@ledger/observability';
import {
  ActionResult,
  DomainError,
  PaymentProcess,
  PaymentSnapshot,
  ProcessAction,
  PromotionRules,
  SubscriptionCommand,
  accountDecider,
  accountStreamId,
  findPlan,
  quotePrice,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import { EventMetadata, StreamStates, backoffDelay, handleCommand } from '@ledger/event-store';
import { PaymentProvider, ProviderPayment, ProviderRejectedError, ProviderUnavailableError } from '../payment-provider.port';

export interface ExecutorDeps {
  readonly states: StreamStates;
  readonly provider: PaymentProvider;
  readonly rules: PromotionRules;
  /** Opens the token sealed in RenewalRequested. */
  readonly unsealToken: (sealed: string) => string;
  /** Backoff between attempts at a provider that does not answer. */
  readonly retry: { readonly baseMs: number; readonly maxMs: number };
}

const snapshotOf = (p: ProviderPayment): PaymentSnapshot => ({
  id: p.id,
  status: p.status,
  amount: p.amount,
  ...(p.feeMinor !== undefined ? { feeMinor: p.feeMinor } : {}),
  ...(p.failureReason ? { failureReason: p.failureReason } : {}),
  ...(p.nextAction ? { nextAction: { type: p.nextAction.type, url: p.nextAction.url } } : {}),
  refunds: p.refunds.map((r) => ({ reference: r.reference, amountMinor: r.amountMinor })),
  disputes: p.disputes.map((d) => ({ id: d.id, status: d.status, amountMinor: d.amountMinor })),
});

export const providerSnapshot = snapshotOf;

/**
 * Carries out one action of a renewal's payment process and says what came of it. Card and account
 * commands go through handleCommand (their deciders answer a repeat with no events); provider calls
 * carry our reference as the idempotency key. Nothing here decides what to do next: nextStep does.
 */
export class ProcessExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async run(s: PaymentProcess, action: ProcessAction, now: string, causationId: string | undefined): Promise<ActionResult> {
    const r = s.request!;
    const metadata: EventMetadata = {
      commandId: `${r.paymentId}:${action.type}`,
      correlationId: r.origin.correlationId,
      causationId: causationId ?? r.paymentId,
      actor: r.origin.actor,
      idempotencyKey: r.origin.idempotencyKey,
    };
    try {
      return await this.carryOut(s, action, now, metadata);
    } catch (err) {
      if (err instanceof ProviderUnavailableError) {
        const attempt = (s.unreachable?.attempt ?? 0) + 1;
        return {
          kind: 'unreachable',
          error: err.message,
          retryAt: new Date(Date.parse(now) + backoffDelay(this.deps.retry, attempt)).toISOString(),
        };
      }
      if (err instanceof ProviderRejectedError) return { kind: 'rejected', code: err.code, message: err.message };
      throw err;
    }
  }

  private async carryOut(s: PaymentProcess, a: ProcessAction, now: string, metadata: EventMetadata): Promise<ActionResult> {
    const r = s.request!;
    const { provider } = this.deps;
    const payment = (p: ProviderPayment | null): ActionResult => ({ kind: 'payment', payment: p && snapshotOf(p) });
    switch (a.type) {
      case 'ClaimDiscount':
        return this.claim(s, now, metadata);
      case 'ReleaseDiscount': {
        const release = { type: 'ReleaseFirstOrderDiscount' as const, renewalId: r.renewalId, reason: a.reason, now };
        await handleCommand(this.deps.states, accountStreamId(r.accountId), accountDecider, release, {
          metadata,
          step: `release:${r.renewalId}`,
          idsPerRevision: true,
        });
        return { kind: 'done' };
      }
      case 'ReserveCard': {
        const plan = findPlan(r.planId);
        if (!plan) return { kind: 'card-refused', code: 'PLAN_NOT_FOUND', message: `plan ${r.planId} is no longer sold` };
        const quote = { ...s.quote!, discounts: [...s.quote!.discounts] };
        const select = {
          type: 'SelectPlan' as const,
          renewalId: r.renewalId,
          plan,
          quote,
          paymentMethod: r.paymentMethod,
          requestHash: r.requestHash,
          now,
        };
        return this.onCard(r.subscriptionId, select, 'select', metadata, true);
      }
      case 'Charge': {
        const token = this.deps.unsealToken(r.sealedToken);
        const amount = s.quote!.price;
        return payment(
          await provider.createPayment({
            reference: r.paymentId,
            method: r.paymentMethod,
            token,
            amount,
            description: `renewal ${r.renewalId}`,
          }),
        );
      }
      case 'Capture':
        return payment(await provider.capturePayment(a.providerPaymentId));
      case 'Lookup':
        return payment(await provider.findPayment(r.paymentId));
      case 'Cancel':
        return payment(await provider.cancelPayment(a.providerPaymentId));
      case 'Refund':
        return payment(await provider.refundPayment(a.providerPaymentId, { reference: a.refundId, amountMinor: a.amountMinor }));
      case 'RecordAction':
        return this.onCard(
          r.subscriptionId,
          { ...ids(r), type: 'RecordPaymentAction', action: a.action, url: a.url, now },
          'action',
          metadata,
        );
      case 'RecordOutcome':
        return counted(
          r.paymentMethod,
          a.outcome.status,
          await this.onCard(
            r.subscriptionId,
            { type: 'RecordPaymentOutcome', renewalId: r.renewalId, outcome: a.outcome, now },
            'outcome',
            metadata,
          ),
        );
      case 'AbandonOnCard':
        return counted(
          r.paymentMethod,
          'abandoned',
          await this.onCard(r.subscriptionId, { ...ids(r), type: 'AbandonRenewal', reason: a.reason, now }, 'abandoned', metadata),
        );
      case 'RecordRefundOnCard': {
        const amount = { amountMinor: a.amountMinor, currency: s.payment!.amount.currency };
        const refund = { type: 'RecordRefund' as const, renewalId: r.renewalId, refundId: a.refundId, amount, reason: a.reason, now };
        return this.onCard(r.subscriptionId, refund, `refund:${a.refundId}`, metadata, true);
      }
      case 'RecordChargebackOnCard': {
        const amount = { amountMinor: a.amountMinor, currency: s.payment!.amount.currency };
        const chargeback = {
          type: 'RecordChargeback' as const,
          renewalId: r.renewalId,
          disputeId: a.disputeId,
          status: a.status,
          amount,
          now,
        };
        return this.onCard(r.subscriptionId, chargeback, `dispute:${a.disputeId}:${a.status}`, metadata, true);
      }
    }
  }

  /** The first-order discount, or the price without it when another renewal of the account holds it. */
  private async claim(s: PaymentProcess, now: string, metadata: EventMetadata): Promise<ActionResult> {
    const r = s.request!;
    const claim = { type: 'ClaimFirstOrderDiscount' as const, renewalId: r.renewalId, subscriptionId: r.subscriptionId, now };
    try {
      await handleCommand(this.deps.states, accountStreamId(r.accountId), accountDecider, claim, {
        metadata,
        step: `claim:${r.renewalId}`,
        idsPerRevision: true,
      });
      return { kind: 'discount', outcome: 'claimed', quote: s.quote! };
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'PROMOTION_NOT_APPLICABLE') throw err;
      const plan = findPlan(r.planId)!;
      const quote = quotePrice({
        plan,
        now: r.requestedAt,
        firstOrderEligible: false,
        promotionCode: r.promotionCode ?? undefined,
        rules: this.deps.rules,
      });
      return { kind: 'discount', outcome: 'unavailable', quote: { ...quote, discounts: [...quote.discounts] } };
    }
  }

  private async onCard(
    subscriptionId: string,
    command: SubscriptionCommand,
    step: string,
    metadata: EventMetadata,
    refusable = false,
  ): Promise<ActionResult> {
    const stream = subscriptionStreamId(subscriptionId);
    try {
      await handleCommand(this.deps.states, stream, subscriptionDecider, command, { metadata, step: `pm:${step}` });
      return { kind: 'done' };
    } catch (err) {
      if (refusable && err instanceof DomainError) return { kind: 'card-refused', code: err.code, message: err.message };
      throw err;
    }
  }
}

const ids = (r: NonNullable<PaymentProcess['request']>) => ({ renewalId: r.renewalId, paymentId: r.paymentId });

/**
 * A payment outcome booked on the card, counted once it is (a step the process repeats after a
 * crash may count again: metrics are for watching, the ledger is the record).
 */
const counted = (method: string, outcome: string, result: ActionResult): ActionResult => {
  if (result.kind === 'done') paymentsTotal.inc({ method, outcome });
  return result;
};
