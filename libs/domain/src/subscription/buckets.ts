import { DomainError } from '../shared/domain-error';
import { BucketDraw, DataExpired, EntitlementRevoked, ValidityExtended } from './subscription.events';
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

/**
 * How each event moves a card's buckets: the one rule set, folded by the card's state and by the
 * card-balance projection alike, so the balance a reader sees is the balance the decider decides on.
 */
export const bucketGranted = (buckets: readonly Bucket[], d: ValidityExtended['data']): Bucket[] => [
  ...buckets,
  { bucketId: d.bucketId, mbGranted: d.dataMbGranted, mbRemaining: d.dataMbGranted, expiresAt: d.newExpiry },
];

export const bucketsDrawn = (buckets: readonly Bucket[], from: readonly BucketDraw[]): Bucket[] => {
  const drawn = new Map(from.map((f) => [f.bucketId, f.mb]));
  return buckets.map((b) => (drawn.has(b.bucketId) ? { ...b, mbRemaining: b.mbRemaining - drawn.get(b.bucketId)! } : b));
};

export const bucketExpired = (buckets: readonly Bucket[], bucketId: string): Bucket[] => buckets.filter((b) => b.bucketId !== bucketId);

/** A revocation takes MB from its renewal's bucket, and no bucket outlives the card's new validity. */
export const bucketsRevoked = (buckets: readonly Bucket[], d: EntitlementRevoked['data']): Bucket[] =>
  buckets.map((b) => {
    const mbRemaining = b.bucketId === d.bucketId ? b.mbRemaining - d.mbRevoked : b.mbRemaining;
    const expiresAt = d.newExpiry && Date.parse(b.expiresAt) > Date.parse(d.newExpiry) ? d.newExpiry : b.expiresAt;
    return mbRemaining === b.mbRemaining && expiresAt === b.expiresAt ? b : { ...b, mbRemaining, expiresAt };
  });
