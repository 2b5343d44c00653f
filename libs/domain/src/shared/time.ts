const DAY_MS = 86_400_000;

/** All domain times are ISO-8601 UTC strings; arithmetic happens in epoch milliseconds. */
export const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY_MS).toISOString();

export const laterOf = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);

export const isAfter = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);
