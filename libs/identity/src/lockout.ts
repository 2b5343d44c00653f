import { DataSource } from 'typeorm';
import { verifyPassword } from './passwords';
import { returning } from './returning';
import { IdentityError } from './subject';

/**
 * NIST SP 800-63B (5.2.2) asks verifiers to limit consecutive failed attempts on one account to at
 * most 100. Ours: after 5 consecutive failures the account is locked for a minute, doubling with
 * each further failure up to an hour (computed in the UPDATE that counts the failure); a success
 * resets the count. Lockout answers 429 with Retry-After, and a locked account refuses even the
 * right password until the time is up.
 */
export const FREE_ATTEMPTS = 5;
export const MAX_LOCK_SECONDS = 3600;

/** One-time codes: six digits, ten minutes, five tries; then a new code must be requested. */
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_ATTEMPTS = 5;

/** Texting codes is bounded per account: one a minute, ten a day (each send also resets the tries). */
export const CODE_RESEND_SECONDS = 60;
export const CODES_PER_DAY = 10;

export interface Credential {
  readonly id: string;
  readonly passwordHash: string | null;
  readonly lockedUntil: Date | string | null;
}

const locked = (field: string, seconds: number) =>
  new IdentityError('ACCOUNT_LOCKED', 'too many failed attempts; try again later', field, seconds);

/** The password check with the lockout rule above, for owners' accounts and staff alike. */
export class PasswordLockout {
  constructor(
    private readonly db: DataSource,
    private readonly table: 'identity_account' | 'identity_staff',
    private readonly key: 'account_id' | 'staff_id',
    private readonly field: string,
    private readonly wrong: string,
  ) {}

  /** Passes for the right password on an unlocked credential; otherwise counts the failure and throws. */
  async verify(credential: Credential | undefined, password: string, now: Date): Promise<void> {
    if (credential?.lockedUntil && new Date(credential.lockedUntil) > now) {
      throw locked(this.field, Math.max(1, Math.ceil((new Date(credential.lockedUntil).getTime() - now.getTime()) / 1000)));
    }
    if (!(await verifyPassword(credential?.passwordHash ?? null, password)) || !credential) {
      // One statement, so parallel wrong guesses each count.
      if (credential) {
        await this.db.query(
          `UPDATE ${this.table} SET failed_attempts = failed_attempts + 1,
             locked_until = CASE WHEN failed_attempts + 1 >= $3
               THEN $2::timestamptz + make_interval(secs => LEAST($4, 60 * power(2, failed_attempts + 1 - $3))) ELSE locked_until END
           WHERE ${this.key} = $1`,
          [credential.id, now, FREE_ATTEMPTS, MAX_LOCK_SECONDS],
        );
      }
      throw new IdentityError('INVALID_CREDENTIALS', this.wrong);
    }
    // A lock set by a parallel wrong guess while this one was hashing still holds.
    const [ok] = await returning(
      this.db,
      `UPDATE ${this.table} SET failed_attempts = 0 WHERE ${this.key} = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING ${this.key}`,
      [credential.id, now],
    );
    if (!ok) throw locked(this.field, 60);
  }
}
