import { randomInt, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CODE_ATTEMPTS, CODE_RESEND_SECONDS, CODE_TTL_MS, CODES_PER_DAY, FREE_ATTEMPTS, MAX_LOCK_SECONDS } from './lockout';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';
import { PersonalDataVault } from './personal-data';
import { returning } from './returning';
import { SmsPort } from './sms';
import { IdentityError, Subject } from './subject';

interface AccountRow {
  account_id: string;
  password_hash: string | null;
  verified_at: Date | null;
  locked_until: Date | null;
}

type Purpose = 'verify' | 'reset';

const wrongCode = () => new IdentityError('CODE_INVALID', 'the code is wrong or has expired; request a new one', 'code');
const secondsUntil = (t: Date, now: Date): number => Math.max(1, Math.ceil((new Date(t).getTime() - now.getTime()) / 1000));

/**
 * Card owners' credentials: register a phone number, prove it with a texted code (setting the
 * password at that moment, so whoever registered first cannot keep one), log in, reset the password
 * with a code, be erased. SMS codes are what NIST SP 800-63B calls a restricted authenticator; the
 * SmsPort is where another factor would plug in. Every counter moves in one statement, so
 * parallel guesses cannot share one count.
 */
export class AccountCredentials {
  constructor(
    private readonly db: DataSource,
    private readonly vault: PersonalDataVault,
    private readonly sms: SmsPort,
  ) {}

  private lookup = (phone: string): string => this.vault.fingerprint('phone', phone);

  private async byPhone(phone: string): Promise<AccountRow | undefined> {
    const [row] = await this.db.query(
      'SELECT account_id, password_hash, verified_at, locked_until FROM identity_account WHERE phone_lookup = $1',
      [this.lookup(phone)],
    );
    return row;
  }

  /**
   * Answers the same for every number, so it cannot tell which ones have accounts: a new or
   * unverified number gets a code; a number that has an account gets a text saying so instead.
   */
  async register(phone: string, now: Date): Promise<void> {
    let row = await this.byPhone(phone);
    if (row?.verified_at) {
      if (await this.countSend(row.account_id, now)) {
        await this.sms.send(
          phone,
          'Someone tried to register this number with the ledger. You already have an account: log in, or reset your password.',
        );
      }
      return;
    }
    if (!row) {
      const accountId = randomUUID();
      const wrapped = this.vault.newWrappedKey();
      await this.db.transaction(async (em) => {
        await em.query('INSERT INTO identity_account_key (account_id, wrapped_key) VALUES ($1, $2)', [accountId, wrapped]);
        // A concurrent registration of the same phone wins the unique fingerprint; this one then joins it.
        await em.query(
          'INSERT INTO identity_account (account_id, phone_lookup, phone_sealed, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (phone_lookup) DO NOTHING',
          [accountId, this.lookup(phone), this.vault.seal(wrapped, phone), now],
        );
      });
      row = await this.byPhone(phone);
      if (row && row.account_id !== accountId) await this.db.query('DELETE FROM identity_account_key WHERE account_id = $1', [accountId]);
      if (!row) throw new Error('registration raced with an erasure; retry');
    }
    await this.sendCode(row.account_id, phone, 'verify', now);
  }

  /** Proves the phone and sets the password; answers the account id. */
  async verify(phone: string, code: string, password: string, now: Date): Promise<{ accountId: string }> {
    const weak = passwordProblem(password);
    if (weak) throw new IdentityError('WEAK_PASSWORD', weak, 'password');
    const row = await this.byPhone(phone);
    if (!row || row.verified_at) throw wrongCode();
    await this.spendCode(row.account_id, 'verify', code, now);
    await this.db.query('UPDATE identity_account SET verified_at = $2, password_hash = $3 WHERE account_id = $1', [
      row.account_id,
      now,
      await hashPassword(password),
    ]);
    return { accountId: row.account_id };
  }

  async login(phone: string, password: string, now: Date): Promise<Subject> {
    const row = await this.byPhone(phone);
    if (row?.locked_until && new Date(row.locked_until) > now) {
      throw new IdentityError(
        'ACCOUNT_LOCKED',
        'too many failed attempts; try again later',
        'phoneNumber',
        secondsUntil(row.locked_until, now),
      );
    }
    if (!(await verifyPassword(row?.password_hash ?? null, password)) || !row) {
      if (row) await this.recordFailure(row.account_id, now);
      throw new IdentityError('INVALID_CREDENTIALS', 'the phone number or the password is wrong');
    }
    // A lock set by a parallel wrong guess while this one was hashing still holds.
    const [ok] = await returning(
      this.db,
      'UPDATE identity_account SET failed_attempts = 0 WHERE account_id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING account_id',
      [row.account_id, now],
    );
    if (!ok) throw new IdentityError('ACCOUNT_LOCKED', 'too many failed attempts; try again later', 'phoneNumber', 60);
    if (!row.verified_at)
      throw new IdentityError('ACCOUNT_NOT_VERIFIED', 'verify the phone number with the texted code first', 'phoneNumber');
    return { kind: 'account', id: row.account_id, role: 'owner', scopes: [] };
  }

  /** Answers the same whether or not the phone has an account, so it cannot be used to find them. */
  async requestReset(phone: string, now: Date): Promise<void> {
    const row = await this.byPhone(phone);
    if (row?.verified_at)
      await this.sendCode(row.account_id, phone, 'reset', now).catch((err) =>
        err instanceof IdentityError ? undefined : Promise.reject(err),
      );
  }

  async confirmReset(phone: string, code: string, password: string, now: Date): Promise<{ accountId: string }> {
    const weak = passwordProblem(password);
    if (weak) throw new IdentityError('WEAK_PASSWORD', weak, 'password');
    const row = await this.byPhone(phone);
    if (!row?.verified_at) throw wrongCode();
    await this.spendCode(row.account_id, 'reset', code, now);
    await this.db.query('UPDATE identity_account SET password_hash = $2, failed_attempts = 0, locked_until = NULL WHERE account_id = $1', [
      row.account_id,
      await hashPassword(password),
    ]);
    return { accountId: row.account_id };
  }

  /** The phone number, or null once erased. */
  async phoneOf(accountId: string): Promise<string | null> {
    const [row] = await this.db.query(
      'SELECT a.phone_sealed, k.wrapped_key FROM identity_account a JOIN identity_account_key k USING (account_id) WHERE a.account_id = $1',
      [accountId],
    );
    return row?.phone_sealed ? this.vault.open(row.wrapped_key, row.phone_sealed) : null;
  }

  /** Right to erasure: the key goes, so the sealed number is unreadable anywhere it was copied. */
  async erase(accountId: string, now: Date): Promise<boolean> {
    return this.db.transaction(async (em) => {
      await em.query('DELETE FROM identity_account_key WHERE account_id = $1', [accountId]);
      await em.query('DELETE FROM identity_code WHERE account_id = $1', [accountId]);
      const rows = await returning(
        em,
        'UPDATE identity_account SET phone_lookup = NULL, phone_sealed = NULL, password_hash = NULL, erased_at = $2 WHERE account_id = $1 AND erased_at IS NULL RETURNING account_id',
        [accountId, now],
      );
      return rows.length > 0;
    });
  }

  /** Verified and not erased: may hold a session. */
  async isActive(accountId: string): Promise<boolean> {
    const [row] = await this.db.query(
      'SELECT 1 FROM identity_account WHERE account_id = $1 AND erased_at IS NULL AND verified_at IS NOT NULL',
      [accountId],
    );
    return !!row;
  }

  private async recordFailure(accountId: string, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE identity_account SET failed_attempts = failed_attempts + 1,
         locked_until = CASE WHEN failed_attempts + 1 >= $3
           THEN $2::timestamptz + make_interval(secs => LEAST($4, 60 * power(2, failed_attempts + 1 - $3))) ELSE locked_until END
       WHERE account_id = $1`,
      [accountId, now, FREE_ATTEMPTS, MAX_LOCK_SECONDS],
    );
  }

  /** Counts a text against the account's daily cap; false once the cap is reached. */
  private async countSend(accountId: string, now: Date): Promise<boolean> {
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

  private async sendCode(accountId: string, phone: string, purpose: Purpose, now: Date): Promise<void> {
    if (!(await this.countSend(accountId, now)))
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
  private async spendCode(accountId: string, purpose: Purpose, code: string, now: Date): Promise<void> {
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
