import {
  ActiveCard,
  Card,
  DEFAULT_PROMOTIONS,
  DomainError,
  REGIONS,
  SubscriptionCommand,
  SubscriptionEvent,
  dataRemainingMb,
  plansInRegion,
  quotePrice,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import { EventToAppend, deterministicId } from '@ledger/event-store';

/** One decided command: append `events` to `streamId` at `expectedRevision`. */
export interface DecidedAppend {
  readonly streamId: string;
  readonly expectedRevision: number | 'no_stream';
  readonly events: readonly EventToAppend[];
}

export interface RandomHistoryOptions {
  /** Roughly how many events to produce; the last command may overshoot by a few. */
  readonly events: number;
  /** Cards open at any one time; a card retires after `eventsPerCard` and a fresh one takes its slot. */
  readonly activeCards: number;
  readonly eventsPerCard?: number;
  readonly seed?: number;
}

/** Small, seedable, and good enough to pick commands; Math.random would make failures unreproducible. */
const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

interface Slot {
  id: string;
  card: Card;
  revision: number;
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * A long, interleaved history of many cards produced by the real subscription decider: opens,
 * renewals (some declined), usage drawn from what is left, and buckets that expire as the clock
 * moves. Commands the decider refuses are dropped, as the API would answer them with an error.
 */
export function* randomCardHistory(options: RandomHistoryOptions): Generator<DecidedAppend> {
  const random = mulberry32(options.seed ?? 1);
  const perCard = options.eventsPerCard ?? 20;
  const meta = { commandId: 'history', correlationId: 'history', causationId: 'history', actor: 'generator', idempotencyKey: 'history' };
  let cards = 0;
  const fresh = (): Slot => ({ id: `card-${options.seed ?? 1}-${++cards}`, card: subscriptionDecider.initialState(), revision: -1 });
  const slots: Slot[] = Array.from({ length: options.activeCards }, fresh);
  let now = T0;
  let produced = 0;
  for (let n = 0; produced < options.events; n++) {
    const i = Math.floor(random() * slots.length);
    const slot = slots[i];
    now += Math.floor(random() * 20 * 60_000);
    const command = nextCommand(slot, new Date(now).toISOString(), n, random);
    let decided: SubscriptionEvent[];
    try {
      decided = subscriptionDecider.decide(command, slot.card);
    } catch (err) {
      if (err instanceof DomainError) continue;
      throw err;
    }
    if (decided.length === 0) continue;
    const streamId = subscriptionStreamId(slot.id);
    yield {
      streamId,
      expectedRevision: slot.revision < 0 ? 'no_stream' : slot.revision,
      events: decided.map((e, k) => ({ id: deterministicId(streamId, String(n), String(k)), type: e.type, data: e.data, metadata: meta })),
    };
    slot.card = decided.reduce(subscriptionDecider.evolve, slot.card);
    slot.revision += decided.length;
    produced += decided.length;
    if (slot.revision + 1 >= perCard) slots[i] = fresh();
  }
}

const nextCommand = (slot: Slot, now: string, n: number, random: () => number): SubscriptionCommand => {
  const s = slot.card;
  if (s.status !== 'Active') {
    const region = REGIONS[Math.floor(random() * REGIONS.length)];
    return {
      type: 'OpenSubscription',
      subscriptionId: slot.id,
      accountId: `acc-${slot.id}`,
      iccid: `89490200${String(n).padStart(11, '0')}`,
      region,
      now,
    };
  }
  if (s.pendingRenewalId !== null) return paymentOutcome(s, now, n, random() < 0.8);
  if (random() < 0.4) {
    const plans = plansInRegion(s.region);
    const plan = plans[Math.floor(random() * plans.length)];
    const quote = quotePrice({ plan, now, firstOrderEligible: Object.keys(s.renewals).length === 0, rules: DEFAULT_PROMOTIONS });
    return { type: 'SelectPlan', renewalId: `r-${n}`, plan, quote, paymentMethod: 'card', requestHash: `h-${n}`, now };
  }
  // Up to 110% of what is left, so some usage is refused as it would be in production.
  return { type: 'RecordUsage', usageId: `u-${n}`, mb: Math.floor(dataRemainingMb(s) * random() * 1.1), now };
};

const paymentOutcome = (s: ActiveCard, now: string, n: number, captured: boolean): SubscriptionCommand => {
  const renewalId = s.pendingRenewalId!;
  const outcome = captured
    ? { status: 'captured' as const, paymentId: `p-${n}`, amount: s.renewals[renewalId].price, providerReference: `ref-${n}` }
    : { status: 'failed' as const, paymentId: `p-${n}`, reason: 'card_declined' };
  return { type: 'RecordPaymentOutcome', renewalId, outcome, now };
};
