import { expireBuckets } from './buckets';
import { burnForecast } from './forecast';
import { ReviewCard } from './subscription.commands';
import { DataExpired, RenewalReminderDue } from './subscription.events';
import { ActiveCard, Card, evolve } from './subscription.state';

/** Low data: at most this share of what the live buckets were granted is left… */
export const LOW_DATA_SHARE = 0.1;
/** …or, at the card's pace, the data runs out within this many days. */
export const LOW_DATA_DAYS = 2;
/** Validity ending: it ends within this many hours… */
export const VALIDITY_ENDING_HOURS = 48;
/** …or within this share of the period that set it, when shorter (a day's plan is reminded 6 hours before, not at purchase). */
export const VALIDITY_ENDING_SHARE = 0.25;

const HOUR_MS = 3_600_000;

/**
 * The network's feed may report usage measured up to this long ago (the bulk feed refuses older):
 * usage measured before a bucket's end can still arrive, and must be drawn from that bucket. So the
 * card watch forfeits a bucket once this has passed since its end; the balance shows it gone at its end.
 */
export const LATE_USAGE_MS = 7 * 24 * HOUR_MS;

/** When a validity end is reminded of, given the days of the renewal that set it. The read model schedules the sweep by it. */
export const validityReminderAt = (expiresAt: string, periodDays: number | null): string => {
  const windowMs = Math.min(VALIDITY_ENDING_HOURS * HOUR_MS, (periodDays ?? Infinity) * 24 * HOUR_MS * VALIDITY_ENDING_SHARE);
  return new Date(Date.parse(expiresAt) - windowMs).toISOString();
};

/** The renewal behind a bucket: ValidityExtended names its bucket after it. */
const renewalOfBucket = (bucketId: string): string => bucketId.replace(/^bucket-/, '');

/**
 * The reminders due on a card now, each once: low data per bucket (the newest live one: a renewal
 * brings a new bucket, and so a new reminder when that one runs low too), validity ending per
 * validity end (48 hours before it, or a quarter of its period before, when shorter). None while a
 * renewal is under way, and none on a card with no validity left.
 */
export const remindersDue = (s: ActiveCard, now: string): RenewalReminderDue[] => {
  const at = Date.parse(now);
  if (s.pendingRenewalId !== null || s.expiresAt === null || Date.parse(s.expiresAt) <= at) return [];
  const live = s.buckets.filter((b) => Date.parse(b.expiresAt) > at);
  const granted = live.reduce((sum, b) => sum + b.mbGranted, 0);
  const remaining = live.reduce((sum, b) => sum + b.mbRemaining, 0);
  const forecast = burnForecast({ usage: s.usageByDay, dataRemainingMb: remaining, expiresAt: s.expiresAt, now });
  const base = { dataRemainingMb: remaining, expiresAt: s.expiresAt, dataRunsOutAt: forecast.dataRunsOutAt, dueAt: now };
  const due: RenewalReminderDue[] = [];
  const newest = [...live].sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt) || (a.bucketId < b.bucketId ? -1 : 1))[0];
  const runsOutSoon = forecast.dataRunsOutAt !== null && Date.parse(forecast.dataRunsOutAt) - at < LOW_DATA_DAYS * 24 * HOUR_MS;
  if (newest && granted > 0 && (remaining <= granted * LOW_DATA_SHARE || runsOutSoon))
    due.push({ type: 'RenewalReminderDue', data: { reminderId: `low_data:${newest.bucketId}`, reason: 'low_data', ...base } });
  const periodDays = newest ? (s.renewals[renewalOfBucket(newest.bucketId)]?.days ?? null) : null;
  if (at >= Date.parse(validityReminderAt(s.expiresAt, periodDays)))
    due.push({ type: 'RenewalReminderDue', data: { reminderId: `validity_ending:${s.expiresAt}`, reason: 'validity_ending', ...base } });
  return due.filter((r) => !s.reminded.includes(r.data.reminderId));
};

/**
 * Buckets whose end is more than LATE_USAGE_MS ago are forfeited (with no need for another command
 * on the card), then the reminders due now.
 */
export const reviewCard = (c: ReviewCard, state: Card): (DataExpired | RenewalReminderDue)[] => {
  if (state.status !== 'Active') return [];
  const expired = expireBuckets(state, new Date(Date.parse(c.now) - LATE_USAGE_MS).toISOString());
  const after = expired.reduce((s, e) => evolve(s, e), state as Card) as ActiveCard;
  return [...expired, ...remindersDue(after, c.now)];
};
