/**
 * NIST SP 800-63B (5.2.2) asks verifiers to limit consecutive failed attempts on one account to at
 * most 100. Ours: after 5 consecutive failures the account is locked for a minute, doubling with
 * each further failure up to an hour (computed in the UPDATE that counts the failure); a success resets the count. Lockout answers 429 with
 * Retry-After, and a locked account refuses even the right password until the time is up.
 */
export const FREE_ATTEMPTS = 5;
export const MAX_LOCK_SECONDS = 3600;

/** One-time codes: six digits, ten minutes, five tries; then a new code must be requested. */
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_ATTEMPTS = 5;

/** Texting codes is bounded per account: one a minute, ten a day (each send also resets the tries). */
export const CODE_RESEND_SECONDS = 60;
export const CODES_PER_DAY = 10;
