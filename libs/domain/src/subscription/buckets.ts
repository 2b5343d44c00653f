import { DomainError } from '../shared/domain-error';
import { BucketDraw, DataExpired } from './subscription.events';
import { ActiveCard, Bucket } from './subscription.state';

const byExpiry = (a: Bucket, b: Bucket): number =>
  Date.parse(a.expiresAt) - Date.parse(b.expiresAt) || a.bucketId.localeCompare(b.bucketId);

/** Buckets whose expiry has passed are forfeited before any other decision at `now`. */
export const expireBuckets = (s: ActiveCard, now: string): DataExpired[] =>
  s.buckets
    .filter((b) => Date.parse(b.expiresAt) <= Date.parse(now))
    .sort(byExpiry)
    .map((b) => ({ type: 'DataExpired', data: { bucketId: b.bucketId, mbForfeited: b.mbRemaining, expiredAt: b.expiresAt } }));

/** Usage draws from the soonest-expiring bucket first, so the data a customer would lose goes first. */
export const drawUsage = (buckets: readonly Bucket[], mb: number): BucketDraw[] => {
  const available = buckets.reduce((sum, b) => sum + b.mbRemaining, 0);
  if (mb > available) {
    throw new DomainError('INSUFFICIENT_DATA', `usage of ${mb} MB exceeds the ${available} MB remaining`, 'mb');
  }
  const draws: BucketDraw[] = [];
  let left = mb;
  for (const b of [...buckets].sort(byExpiry)) {
    if (left === 0) break;
    const take = Math.min(b.mbRemaining, left);
    if (take > 0) draws.push({ bucketId: b.bucketId, mb: take });
    left -= take;
  }
  return draws;
};
