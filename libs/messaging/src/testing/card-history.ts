import {
  DEFAULT_PROMOTIONS,
  SubscriptionCommand,
  addDays,
  findPlan,
  quotePrice,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import { EventStore, EventToAppend, deterministicId } from '@ledger/event-store';

export interface CardHistoryOptions {
  readonly renewals?: number;
  readonly usagesPerRenewal?: number;
  readonly start?: string;
}

const minutesLater = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/**
 * Runs the real subscription decider over a scripted life of one card (open; renewals that
 * capture or fail; usage; daily buckets that expire), so tests publish the shapes the API writes.
 * Every event type the topic carries shows up once a card has four renewals.
 */
export const cardHistory = (cardId: string, options: CardHistoryOptions = {}): EventToAppend[] => {
  const { renewals = 4, usagesPerRenewal = 2, start = '2025-01-01T00:00:00.000Z' } = options;
  const out: EventToAppend[] = [];
  let state = subscriptionDecider.initialState();
  let step = 0;
  const run = (command: SubscriptionCommand): void => {
    const key = `${cardId}/${step++}`;
    const metadata = { commandId: key, correlationId: `corr-${key}`, causationId: key, actor: 'test', idempotencyKey: key };
    subscriptionDecider.decide(command, state).forEach((e, i) => {
      state = subscriptionDecider.evolve(state, e);
      out.push({ id: deterministicId(cardId, key, String(i)), type: e.type, data: e.data, metadata });
    });
  };
  let now = start;
  run({ type: 'OpenSubscription', subscriptionId: cardId, accountId: `acc-${cardId}`, iccid: '8949020000012345678', region: 'EU', now });
  const plan = findPlan('eu-daily-1gb')!;
  for (let r = 0; r < renewals; r++) {
    const renewalId = `${cardId}-r${r}`;
    now = addDays(now, 2);
    const quote = quotePrice({
      plan,
      now,
      firstOrderEligible: r === 0,
      promotionCode: r % 2 ? 'SAVE10' : undefined,
      rules: DEFAULT_PROMOTIONS,
    });
    run({
      type: 'SelectPlan',
      renewalId,
      plan,
      quote,
      paymentMethod: r % 3 === 2 ? 'paypal' : 'card',
      requestHash: `hash-${renewalId}`,
      now,
    });
    if (r % 4 === 1)
      run({
        type: 'RecordPaymentAction',
        renewalId,
        paymentId: `pay-${renewalId}`,
        action: 'approve',
        url: `https://psp.test/pay/${r}`,
        now,
      });
    if (r % 4 === 3) {
      run({ type: 'AbandonRenewal', renewalId, paymentId: `pay-${renewalId}`, reason: 'not_confirmed_in_time', now });
      const retried = `${renewalId}-again`;
      run({ type: 'SelectPlan', renewalId: retried, plan, quote, paymentMethod: 'card', requestHash: `hash-${retried}`, now });
      run({
        type: 'RecordPaymentOutcome',
        renewalId: retried,
        outcome: { status: 'failed', paymentId: `pay-${retried}`, reason: 'card_declined' },
        now,
      });
      continue;
    }
    const amount = quote.price;
    run({
      type: 'RecordPaymentOutcome',
      renewalId,
      outcome: { status: 'captured', paymentId: `pay-${renewalId}`, amount, providerReference: `sbx-${renewalId}` },
      now,
    });
    for (let u = 0; u < usagesPerRenewal; u++)
      run({ type: 'RecordUsage', usageId: `${renewalId}-u${u}`, mb: 10, now: minutesLater(now, u + 1) });
    const later = minutesLater(now, usagesPerRenewal + 1);
    const part = { amountMinor: Math.max(1, Math.floor(amount.amountMinor / 2)), currency: amount.currency };
    if (r % 4 === 1)
      run({ type: 'RecordRefund', renewalId, refundId: `refund-${renewalId}`, amount: part, reason: 'customer_request', now: later });
    if (r % 4 === 2) {
      run({ type: 'RecordChargeback', renewalId, disputeId: `dp-${renewalId}`, status: 'open', amount, now: later });
      run({ type: 'RecordChargeback', renewalId, disputeId: `dp-${renewalId}`, status: 'lost', amount, now: minutesLater(later, 1) });
    }
  }
  // The card watch an hour before the validity ends: a reminder is due.
  if (state.status === 'Active' && state.expiresAt) run({ type: 'ReviewCard', now: minutesLater(state.expiresAt, -60) });
  return out;
};

/** `total` events over cards `${prefix}-0`, `${prefix}-1`, … (the last card's history is cut short). */
export const cardHistories = (prefix: string, total: number, options: CardHistoryOptions = {}): Map<string, EventToAppend[]> => {
  const cards = new Map<string, EventToAppend[]>();
  let left = total;
  for (let i = 0; left > 0; i++) {
    const events = cardHistory(`${prefix}-${i}`, options).slice(0, left);
    cards.set(`${prefix}-${i}`, events);
    left -= events.length;
  }
  return cards;
};

/** Appends each card's events to its stream in slices of `perAppend`, one append after another. */
export const appendHistories = async (store: EventStore, cards: Map<string, EventToAppend[]>, perAppend = 50): Promise<void> => {
  for (const [cardId, events] of cards) {
    for (let i = 0; i < events.length; i += perAppend) {
      await store.appendToStream(subscriptionStreamId(cardId), events.slice(i, i + perAppend), i === 0 ? 'no_stream' : i - 1);
    }
  }
};
