import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CODE_ATTEMPTS, CODE_RESEND_SECONDS, CODE_TTL_MS, CODES_PER_DAY } from './lockout';
import { PersonalDataVault } from './personal-data';
import { returning } from './returning';
import { SmsPort } from './sms';
import { IdentityError } from './subject';

export type Purpose = 'verify' | 'reset';

export const wrongCode = () => new IdentityError('CODE_INVALID', 'the code is wrong or has expired; request a new one', 'code');

/** Six-digit codes texted to a phone: stored as keyed fingerprints, sent within caps, spent once. */
export class OneTimeCodes {
  constructor(
    private readonly db: DataSource,
    private readonly vault: PersonalDataVault,
    private readonly sms: SmsPort,
  ) {}

  /** Counts a text against the account's daily cap; false once the cap is reached. */
  async counted(accountId: string, now: Date): Promise<boolean> {
    const [withinDay] = await returning(
      this.db,
      `UPDATE identity_account SET
         codes_sent = CASE WHEN codes_window_start IS NULL OR codes_window_start <= $2::timestamptz - interval '1 day' THEN 1 ELSE codes_sent + 1 END,
         codes_window_start = CASE WHEN codes_window_start IS NULL OR codes_window_start <= $2::timestamptz - interval '1 day' THEN $2 ELSE codes_window_start END
       WHERE account_id = $1 AND (codes_window_start IS NULL OR codes_window_start <= $2::timestamptz - interval '1 day' OR codes_sent < $3)
       RETURNING account_id`,
      [accountId, now, CODES_PER_DAY],
    );
    return !!withinDay;
  }

  async send(accountId: string, phone: string, purpose: Purpose, now: Date): Promise<void> {
    if (!(await this.counted(accountId, now)))
      throw new IdentityError(
        'CODE_RECENTLY_SENT',
        `${CODES_PER_DAY} codes were texted to this phone today; try again tomorrow`,
        'phoneNumber',
        3600,
      );
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    // A new code replaces the last one only once that is a minute old.
    const [stored] = await returning(
      this.db,
      `INSERT INTO identity_code (account_id, purpose, code_hash, expires_at, sent_at, attempts) VALUES ($1, $2, $3, $4, $5, 0)
       ON CONFLICT (account_id, purpose) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, sent_at = EXCLUDED.sent_at, attempts = 0
       WHERE identity_code.sent_at <= $5::timestamptz - make_interval(secs => $6)
       RETURNING account_id`,
      [
        accountId,
        purpose,
        this.vault.fingerprint('code', `${accountId}:${purpose}:${code}`),
        new Date(now.getTime() + CODE_TTL_MS),
        now,
        CODE_RESEND_SECONDS,
      ],
    );
    if (!stored)
      throw new IdentityError(
        'CODE_RECENTLY_SENT',
        'a code was texted moments ago (at most one a minute); use it or wait',
        'phoneNumber',
        CODE_RESEND_SECONDS,
      );
    await this.sms.send(
      phone,
      `Your ledger ${purpose === 'verify' ? 'verification' : 'password reset'} code is ${code}. It expires in 10 minutes.`,
    );
  }

  /** One statement takes a try and compares, so parallel guesses each spend one of the five. */
  async spend(accountId: string, purpose: Purpose, code: string, now: Date): Promise<void> {
    const [row] = await returning<{ code_hash: string }>(
      this.db,
      'UPDATE identity_code SET attempts = attempts + 1 WHERE account_id = $1 AND purpose = $2 AND attempts < $3 AND expires_at > $4 RETURNING code_hash',
      [accountId, purpose, CODE_ATTEMPTS, now],
    );
    if (!row || row.code_hash !== this.vault.fingerprint('code', `${accountId}:${purpose}:${code}`)) throw wrongCode();
    const [spent] = await returning(
      this.db,
      'DELETE FROM identity_code WHERE account_id = $1 AND purpose = $2 AND code_hash = $3 RETURNING account_id',
      [accountId, purpose, row.code_hash],
    );
    if (!spent) throw wrongCode();
  }
}
