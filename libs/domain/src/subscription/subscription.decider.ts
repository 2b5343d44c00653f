import { Decider, assertNever } from '../shared/event';
import { DomainError } from '../shared/domain-error';
import { renewalPeriod } from './renewal-period';
import { reviewCard } from './reminders';
import { OpenSubscription, RecordPaymentOutcome, RecordUsage, SelectPlan, SubscriptionCommand } from './subscription.commands';
import { SubscriptionEvent } from './subscription.events';
import { ActiveCard, Card, evolve, initialCard, recentUsageMb } from './subscription.state';
import { drawUsage, expireBuckets } from './buckets';
import { checkOpen, checkPaymentOutcome, checkSelectPlan, checkUsage } from './subscription.invariants';
import { abandonRenewal, recordChargeback, recordPaymentAction, recordRefund } from './payment-lifecycle';

const opened = (s: Card): ActiveCard => {
  if (s.status !== 'Active') throw new DomainError('SUBSCRIPTION_NOT_FOUND', 'subscription does not exist');
  return s;
};

const open = (c: OpenSubscription, s: Card): SubscriptionEvent[] => {
  checkOpen(c);
  if (s.status === 'Active') {
    const same = s.accountId === c.accountId && s.iccid === c.iccid && s.region === c.region;
    if (same) return [];
    throw new DomainError('SUBSCRIPTION_ALREADY_OPENED', `subscription ${c.subscriptionId} is already open`);
  }
  const { subscriptionId, accountId, iccid, region, now } = c;
  return [{ type: 'SubscriptionOpened', data: { subscriptionId, accountId, iccid, region, openedAt: now } }];
};

const selectPlan = (c: SelectPlan, state: Card): SubscriptionEvent[] => {
  checkSelectPlan(c);
  const s = opened(state);
  const previous = s.renewals[c.renewalId];
  if (previous) {
    if (previous.requestHash !== c.requestHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
        'Idempotency-Key',
      );
    }
    return [];
  }
  if (s.pendingRenewalId !== null) {
    throw new DomainError('RENEWAL_IN_PROGRESS', `renewal ${s.pendingRenewalId} is still pending on this card`);
  }
  if (c.plan.region !== s.region) {
    throw new DomainError('PLAN_NOT_IN_REGION', `plan ${c.plan.planId} is sold in ${c.plan.region}, this card is in ${s.region}`, 'planId');
  }
  const { plan, quote } = c;
  return [
    ...expireBuckets(s, c.now),
    {
      type: 'PlanSelected',
      data: {
        renewalId: c.renewalId,
        planId: plan.planId,
        region: plan.region,
        kind: plan.kind,
        days: plan.days,
        dataMb: plan.dataMb,
        listPrice: quote.listPrice,
        discounts: [...quote.discounts],
        price: quote.price,
        paymentMethod: c.paymentMethod,
        requestHash: c.requestHash,
        selectedAt: c.now,
      },
    },
  ];
};

/**
 * Extension rule: a renewal while the card is still valid stacks after the current expiry; an expired
 * (or never renewed) card starts from the moment of capture. The new data bucket is usable at once and
 * expires with the new validity; older buckets keep their own expiry and are drawn first.
 */
const recordPaymentOutcome = (c: RecordPaymentOutcome, state: Card): SubscriptionEvent[] => {
  checkPaymentOutcome(c);
  const s = opened(state);
  const renewal = s.renewals[c.renewalId];
  if (renewal && renewal.status !== 'pending') return [];
  if (!renewal || s.pendingRenewalId !== c.renewalId) {
    throw new DomainError('RENEWAL_NOT_PENDING', `renewal ${c.renewalId} is not pending`);
  }
  const o = c.outcome;
  if (o.status === 'failed') {
    return [{ type: 'PaymentFailed', data: { renewalId: c.renewalId, paymentId: o.paymentId, reason: o.reason, failedAt: c.now } }];
  }
  if (o.amount.amountMinor !== renewal.price.amountMinor || o.amount.currency !== renewal.price.currency) {
    throw new Error(
      `captured ${o.amount.amountMinor} ${o.amount.currency} for a renewal priced ${renewal.price.amountMinor} ${renewal.price.currency}`,
    );
  }
  const newExpiry = renewalPeriod(s.expiresAt, c.now, renewal.days).endsAt;
  return [
    ...expireBuckets(s, c.now),
    {
      type: 'PaymentCaptured',
      data: {
        renewalId: c.renewalId,
        paymentId: o.paymentId,
        amount: o.amount,
        method: renewal.paymentMethod,
        providerReference: o.providerReference,
        capturedAt: c.now,
        ...(o.fee ? { fee: o.fee } : {}),
      },
    },
    {
      type: 'ValidityExtended',
      data: {
        renewalId: c.renewalId,
        previousExpiry: s.expiresAt,
        newExpiry,
        dataMbGranted: renewal.dataMb,
        bucketId: `bucket-${c.renewalId}`,
      },
    },
  ];
};

const recordUsage = (c: RecordUsage, state: Card): SubscriptionEvent[] => {
  checkUsage(c);
  const s = opened(state);
  const seen = recentUsageMb(s, c.usageId);
  if (seen !== undefined) {
    if (seen === c.mb) return [];
    throw new DomainError('USAGE_ID_REUSED', `usage ${c.usageId} was already recorded with ${seen} MB`, 'usageId');
  }
  const expired = expireBuckets(s, c.now);
  const live = expired.reduce((st, e) => evolve(st, e), state as Card) as ActiveCard;
  if (live.buckets.length === 0 && c.mb > 0) {
    throw new DomainError('SUBSCRIPTION_EXPIRED', 'the card has no valid data left; renew it first', 'mb');
  }
  const from = drawUsage(live.buckets, c.mb);
  return [...expired, { type: 'DataUsageRecorded', data: { usageId: c.usageId, mb: c.mb, from, recordedAt: c.now } }];
};

export const decide = (command: SubscriptionCommand, state: Card): SubscriptionEvent[] => {
  switch (command.type) {
    case 'OpenSubscription':
      return open(command, state);
    case 'SelectPlan':
      return selectPlan(command, state);
    case 'RecordPaymentOutcome':
      return recordPaymentOutcome(command, state);
    case 'RecordUsage':
      return recordUsage(command, state);
    case 'RecordPaymentAction':
      return recordPaymentAction(command, state);
    case 'AbandonRenewal':
      return abandonRenewal(command, state);
    case 'RecordRefund':
      return recordRefund(command, state);
    case 'RecordChargeback':
      return recordChargeback(command, state);
    case 'ReviewCard':
      return reviewCard(command, state);
    default:
      return assertNever(command);
  }
};

/**
 * The card's state is plain JSON, so its snapshot is the state itself. Bump the version whenever
 * the state's shape or `evolve` changes: older snapshots are then ignored and rebuilt from events.
 */
export const CARD_SNAPSHOT_VERSION = 'card-state-4';

export const subscriptionDecider: Decider<SubscriptionCommand, Card, SubscriptionEvent> & {
  readonly snapshot: { version: string; toJSON: (s: Card) => unknown; fromJSON: (j: unknown) => Card };
} = {
  initialState: initialCard,
  evolve,
  decide,
  snapshot: { version: CARD_SNAPSHOT_VERSION, toJSON: (s) => s, fromJSON: (j) => j as Card },
};

export const subscriptionStreamId = (subscriptionId: string): string => `subscription-${subscriptionId}`;
