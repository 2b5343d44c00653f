import { addDays, laterOf } from '../shared/time';

/**
 * When a renewal's days run: from the end of the card's current validity, or from the capture when
 * it has none left, for the plan's days. Its data is usable at once and lasts until the new end.
 * The one rule the decider extends by and the console shows before paying.
 */
export const renewalPeriod = (expiresAt: string | null, now: string, days: number): { startsAt: string; endsAt: string } => {
  const startsAt = expiresAt === null ? now : laterOf(expiresAt, now);
  return { startsAt, endsAt: addDays(startsAt, days) };
};
