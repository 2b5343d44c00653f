import { Region } from '../catalogue/plan';
import { assertNever } from '../shared/event';
import { Money } from '../shared/money';
import { PaymentMethodType, SubscriptionEvent } from './subscription.events';
import { bucketExpired, bucketGranted, bucketsDrawn, bucketsRevoked } from './buckets';
import { grantOf, shiftLaterPeriods } from './entitlement';
import { UsageByDay, usageAdded } from './forecast';

export interface Bucket {
  readonly bucketId: string;
  readonly mbGranted: number;
  readonly mbRemaining: number;
  readonly expiresAt: string;
}

export type RenewalStatus = 'pending' | 'completed' | 'failed' | 'abandoned';

/** What a completed renewal granted: the bucket and the period of validity it bought. */
export interface Grant {
  readonly bucketId: string;
  readonly mbGranted: number;
  readonly periodStart: string;
  readonly periodEnd: string;
}

/** Money coming back after capture, and what it took back of the grant. */
export interface Compensation {
  readonly paidMinor: number;
  readonly refundedMinor: number;
  readonly lostMinor: number;
  readonly refundIds: readonly string[];
  readonly disputes: Readonly<Record<string, 'open' | 'won' | 'lost'>>;
  readonly revokedMb: number;
}

export interface RenewalRecord {
  readonly renewalId: string;
  readonly requestHash: string;
  readonly status: RenewalStatus;
  readonly price: Money;
  readonly paymentMethod: PaymentMethodType;
  readonly days: number;
  readonly dataMb: number;
  readonly reason?: string;
  readonly paymentId?: string;
  readonly grant?: Grant;
  readonly compensation?: Compensation;
}

/** granted = used + forfeited + revoked + remaining, at every revision. */
export interface Totals {
  readonly grantedMb: number;
  readonly usedMb: number;
  readonly forfeitedMb: number;
  readonly revokedMb: number;
}

export interface ActiveCard {
  readonly status: 'Active';
  readonly subscriptionId: string;
  readonly accountId: string;
  readonly iccid: string;
  readonly region: Region;
  readonly expiresAt: string | null;
  readonly buckets: readonly Bucket[];
  readonly pendingRenewalId: string | null;
  readonly renewals: Readonly<Record<string, RenewalRecord>>;
  /**
   * The card's last RECENT_USAGE usage records as [usageId, mb], newest last: enough to answer a
   * network retry in words (same MB: the original answer; other MB: USAGE_ID_REUSED). Older ids are
   * recognised by the store, from the record's event id (see record-usage.handler.ts). Kept bounded
   * so that folding a record costs the same on the card's first record and its fifty-thousandth.
   */
  readonly recentUsage: readonly (readonly [string, number])[];
  /** MB used per UTC day, the last two weeks: the pace reminders are judged by (forecast.ts). */
  readonly usageByDay: UsageByDay;
  /** The reminder ids already due (bounded): each is due once. */
  readonly reminded: readonly string[];
  readonly totals: Totals;
}

export type Card = { readonly status: 'Unopened' } | ActiveCard;

export const RECENT_USAGE = 100;

/** MB of a usage id among the card's recent records, or undefined. */
export const recentUsageMb = (s: ActiveCard, usageId: string): number | undefined => {
  for (let i = s.recentUsage.length - 1; i >= 0; i--) if (s.recentUsage[i][0] === usageId) return s.recentUsage[i][1];
  return undefined;
};

export const initialCard = (): Card => ({ status: 'Unopened' });

const active = (s: Card, event: SubscriptionEvent): ActiveCard => {
  if (s.status !== 'Active') throw new Error(`${event.type} on a subscription that was never opened`);
  return s;
};

const setRenewal = (s: ActiveCard, renewalId: string, patch: Partial<RenewalRecord>): ActiveCard['renewals'] => ({
  ...s.renewals,
  [renewalId]: { ...s.renewals[renewalId], ...patch },
});

/** Folds one event in its current shape (the store port upcasts older stored shapes on read). */
export const evolve = (state: Card, event: SubscriptionEvent): Card => {
  switch (event.type) {
    case 'SubscriptionOpened':
      return {
        status: 'Active',
        ...event.data,
        expiresAt: null,
        buckets: [],
        pendingRenewalId: null,
        renewals: {},
        recentUsage: [],
        usageByDay: {},
        reminded: [],
        totals: { grantedMb: 0, usedMb: 0, forfeitedMb: 0, revokedMb: 0 },
      };
    case 'PlanSelected': {
      const s = active(state, event);
      const d = event.data;
      const record: RenewalRecord = {
        renewalId: d.renewalId,
        requestHash: d.requestHash,
        status: 'pending',
        price: d.price,
        paymentMethod: d.paymentMethod,
        days: d.days,
        dataMb: d.dataMb,
      };
      return { ...s, pendingRenewalId: d.renewalId, renewals: { ...s.renewals, [d.renewalId]: record } };
    }
    case 'PaymentCaptured': {
      const s = active(state, event);
      const d = event.data;
      const compensation: Compensation = {
        paidMinor: d.amount.amountMinor,
        refundedMinor: 0,
        lostMinor: 0,
        refundIds: [],
        disputes: {},
        revokedMb: 0,
      };
      return { ...s, renewals: setRenewal(s, d.renewalId, { paymentId: d.paymentId, compensation }) };
    }
    case 'PaymentActionRequired':
      return active(state, event);
    case 'RenewalAbandoned': {
      const s = active(state, event);
      const renewals = setRenewal(s, event.data.renewalId, { status: 'abandoned', reason: event.data.reason });
      return { ...s, pendingRenewalId: null, renewals };
    }
    case 'PaymentRefunded': {
      const s = active(state, event);
      const c = s.renewals[event.data.renewalId].compensation!;
      const compensation = { ...c, refundedMinor: event.data.refundedTotal.amountMinor, refundIds: [...c.refundIds, event.data.refundId] };
      return { ...s, renewals: setRenewal(s, event.data.renewalId, { compensation }) };
    }
    case 'ChargebackOpened':
    case 'ChargebackResolved': {
      const s = active(state, event);
      const d = event.data;
      const c = s.renewals[d.renewalId].compensation!;
      const status: 'open' | 'won' | 'lost' = event.type === 'ChargebackOpened' ? 'open' : event.data.outcome;
      // A bank takes back at most what is still paid: refunds and earlier lost disputes come off first.
      const stillPaid = Math.max(0, c.paidMinor - c.refundedMinor - c.lostMinor);
      const lostMinor = c.lostMinor + (status === 'lost' ? Math.min(d.amount.amountMinor, stillPaid) : 0);
      const compensation = { ...c, lostMinor, disputes: { ...c.disputes, [d.disputeId]: status } };
      return { ...s, renewals: setRenewal(s, d.renewalId, { compensation }) };
    }
    case 'EntitlementRevoked': {
      const s = active(state, event);
      const d = event.data;
      const c = s.renewals[d.renewalId].compensation!;
      const renewals = setRenewal(s, d.renewalId, { compensation: { ...c, revokedMb: c.revokedMb + d.mbRevoked } });
      return {
        ...s,
        expiresAt: d.newExpiry,
        buckets: bucketsRevoked(s.buckets, d),
        renewals: shiftLaterPeriods(renewals, d),
        totals: { ...s.totals, revokedMb: s.totals.revokedMb + d.mbRevoked },
      };
    }
    case 'PaymentFailed': {
      const s = active(state, event);
      const renewals = setRenewal(s, event.data.renewalId, { status: 'failed', reason: event.data.reason });
      return { ...s, pendingRenewalId: null, renewals };
    }
    case 'ValidityExtended': {
      const s = active(state, event);
      const d = event.data;
      return {
        ...s,
        expiresAt: d.newExpiry,
        buckets: bucketGranted(s.buckets, d),
        pendingRenewalId: null,
        renewals: setRenewal(s, d.renewalId, { status: 'completed', grant: grantOf(s.renewals[d.renewalId], d) }),
        totals: { ...s.totals, grantedMb: s.totals.grantedMb + d.dataMbGranted },
      };
    }
    case 'DataUsageRecorded': {
      const s = active(state, event);
      const buckets = bucketsDrawn(s.buckets, event.data.from);
      const kept = s.recentUsage.length >= RECENT_USAGE ? s.recentUsage.slice(1 - RECENT_USAGE) : s.recentUsage;
      const recentUsage = [...kept, [event.data.usageId, event.data.mb] as const];
      const usageByDay = usageAdded(s.usageByDay, event.data.recordedAt, event.data.mb);
      return { ...s, buckets, recentUsage, usageByDay, totals: { ...s.totals, usedMb: s.totals.usedMb + event.data.mb } };
    }
    case 'DataExpired': {
      const s = active(state, event);
      const buckets = bucketExpired(s.buckets, event.data.bucketId);
      return { ...s, buckets, totals: { ...s.totals, forfeitedMb: s.totals.forfeitedMb + event.data.mbForfeited } };
    }
    case 'RenewalReminderDue': {
      const s = active(state, event);
      return { ...s, reminded: [...s.reminded.slice(1 - REMINDERS_KEPT), event.data.reminderId] };
    }
    default:
      return assertNever(event);
  }
};

/** Reminder ids a card remembers: far more than can be due at once (one per bucket and validity end). */
const REMINDERS_KEPT = 20;

export const dataRemainingMb = (s: ActiveCard): number => s.buckets.reduce((sum, b) => sum + b.mbRemaining, 0);
