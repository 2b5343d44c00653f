/** MB used per UTC day (YYYY-MM-DD), as the card-balance read model keeps them. */
export type UsageByDay = Readonly<Record<string, number>>;

export interface BurnForecast {
  /** Average MB a day over the window (0 when nothing was used). */
  readonly mbPerDay: number;
  /** At this pace; null when nothing is being used. */
  readonly dataRunsOutAt: string | null;
  readonly validityEndsAt: string | null;
  /** Which ends first; null for a card without validity. */
  readonly endsFirst: 'data' | 'validity' | null;
  /** Whole days until the first of the two ends (rounded down), null when neither will. */
  readonly daysLeft: number | null;
}

const DAY_MS = 86_400_000;
/** The days of use the pace is measured over. */
export const FORECAST_WINDOW_DAYS = 7;

/**
 * "At your pace your data runs out in about N days": the average daily use over the last
 * FORECAST_WINDOW_DAYS days (today counted as far as it has gone, days without use included from the
 * first day of use in the window), projected on the data left, against the end of validity.
 */
export const burnForecast = (input: {
  readonly usage: UsageByDay;
  readonly dataRemainingMb: number;
  readonly expiresAt: string | null;
  readonly now: string;
}): BurnForecast => {
  const now = Date.parse(input.now);
  const today = Date.parse(`${input.now.slice(0, 10)}T00:00:00.000Z`);
  const from = today - (FORECAST_WINDOW_DAYS - 1) * DAY_MS;
  const days = Object.keys(input.usage)
    .filter((d) => Date.parse(`${d}T00:00:00.000Z`) >= from && Date.parse(`${d}T00:00:00.000Z`) <= today)
    .sort();
  const used = days.reduce((s, d) => s + input.usage[d], 0);
  const first = days.length ? Date.parse(`${days[0]}T00:00:00.000Z`) : now;
  // At least a day of span, so a first burst of use in the morning does not read as a day's pace ×24.
  const span = Math.max(DAY_MS, now - first) / DAY_MS;
  const mbPerDay = used > 0 ? used / span : 0;
  const expires = input.expiresAt && Date.parse(input.expiresAt) > now ? Date.parse(input.expiresAt) : null;
  const runsOut = mbPerDay > 0 ? now + (input.dataRemainingMb / mbPerDay) * DAY_MS : null;
  const validityEndsAt = expires === null ? null : new Date(expires).toISOString();
  if (expires === null)
    return { mbPerDay: Math.round(mbPerDay * 10) / 10, dataRunsOutAt: null, validityEndsAt, endsFirst: null, daysLeft: null };
  const dataFirst = runsOut !== null && runsOut < expires;
  const end = dataFirst ? runsOut : expires;
  return {
    mbPerDay: Math.round(mbPerDay * 10) / 10,
    dataRunsOutAt: runsOut === null ? null : new Date(Math.round(runsOut)).toISOString(),
    validityEndsAt,
    endsFirst: dataFirst ? 'data' : 'validity',
    daysLeft: Math.floor((end - now) / DAY_MS),
  };
};

/** The day's use added, only the last two windows kept: the read model's row stays small. */
export const usageAdded = (usage: UsageByDay, recordedAt: string, mb: number): Record<string, number> => {
  const day = recordedAt.slice(0, 10);
  const next: Record<string, number> = { ...usage, [day]: (usage[day] ?? 0) + mb };
  const keep = Object.keys(next)
    .sort()
    .slice(-2 * FORECAST_WINDOW_DAYS);
  return Object.fromEntries(keep.map((d) => [d, next[d]]));
};
