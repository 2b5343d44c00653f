import type { EntitlementRevoked, ValidityExtended } from './subscription.events';
import type { ActiveCard, Grant, RenewalRecord } from './subscription.state';

const DAY_MS = 86_400_000;

/**
 * The claw-back rule, applied after every refund and every lost chargeback of a renewal:
 *
 * - the renewal keeps the share of its grant that is still paid for, `kept = paid − refunded − lost`
 *   over `paid` (whole MB and whole milliseconds, rounded down in the owner's disfavour only by
 *   less than one unit);
 * - data: the bucket may keep `floor(granted × kept / paid)` MB in all, but never less than the owner
 *   already used from it, so nothing consumed is taken back and no balance goes below zero; data the
 *   bucket already forfeited at its expiry is not revoked again;
 * - validity: the renewal's period shrinks to `days × kept / paid`, but never below the part already
 *   served; the card's expiry moves earlier by what is taken, and never before `now`.
 *
 * Answers the event to append, even when nothing is left to take back (0 MB, the same expiry): finance
 * matches every refund and lost chargeback to its revocation. Null only for a renewal never granted.
 */
export const revokeEntitlement = (
  s: ActiveCard,
  r: RenewalRecord,
  cause: EntitlementRevoked['data']['cause'],
  causeId: string,
  now: string,
): EntitlementRevoked | null => {
  const c = r.compensation;
  const g = r.grant;
  if (!c || !g || c.paidMinor <= 0) return null;
  const keptMinor = Math.max(0, c.paidMinor - c.refundedMinor - c.lostMinor);
  const bucket = s.buckets.find((b) => b.bucketId === g.bucketId);
  const remaining = bucket?.mbRemaining ?? 0;
  const used = g.mbGranted - c.revokedMb - remaining;
  const entitledMb = Math.floor((g.mbGranted * keptMinor) / c.paidMinor);
  const mbRevoked = remaining - Math.min(remaining, Math.max(0, entitledMb - used));

  const start = Date.parse(g.periodStart);
  const length = Date.parse(g.periodEnd) - start;
  const served = Math.min(length, Math.max(0, Date.parse(now) - start));
  const entitledMs = Math.floor((r.days * DAY_MS * keptMinor) / c.paidMinor);
  const msRevoked = length - Math.max(served, Math.min(length, entitledMs));
  const previousExpiry = s.expiresAt;
  const newExpiry =
    previousExpiry === null || msRevoked <= 0
      ? previousExpiry
      : new Date(Math.max(Date.parse(previousExpiry) - msRevoked, Math.min(Date.parse(now), Date.parse(previousExpiry)))).toISOString();
  return {
    type: 'EntitlementRevoked',
    data: { renewalId: r.renewalId, bucketId: g.bucketId, mbRevoked, previousExpiry, newExpiry, cause, causeId, revokedAt: now },
  };
};

export const grantOf = (r: RenewalRecord, d: ValidityExtended['data']): Grant => ({
  bucketId: d.bucketId,
  mbGranted: d.dataMbGranted,
  periodStart: new Date(Date.parse(d.newExpiry) - r.days * DAY_MS).toISOString(),
  periodEnd: d.newExpiry,
});

/**
 * Validity taken back from one renewal shortens the card's stacked periods: every period bought
 * after it now starts (and ends) that much earlier, so a later revocation measures the right days.
 */
export const shiftLaterPeriods = (renewals: ActiveCard['renewals'], d: EntitlementRevoked['data']): ActiveCard['renewals'] => {
  const shift = d.previousExpiry && d.newExpiry ? Date.parse(d.previousExpiry) - Date.parse(d.newExpiry) : 0;
  const own = renewals[d.renewalId].grant;
  if (shift <= 0 || !own) return renewals;
  const shifted = (iso: string) => new Date(Date.parse(iso) - shift).toISOString();
  const ownEnd = Date.parse(own.periodEnd);
  const next: Record<string, RenewalRecord> = { ...renewals };
  next[d.renewalId] = { ...renewals[d.renewalId], grant: { ...own, periodEnd: shifted(own.periodEnd) } };
  for (const [id, r] of Object.entries(renewals)) {
    if (id === d.renewalId || !r.grant || Date.parse(r.grant.periodStart) < ownEnd) continue;
    next[id] = { ...r, grant: { ...r.grant, periodStart: shifted(r.grant.periodStart), periodEnd: shifted(r.grant.periodEnd) } };
  }
  return next;
};
