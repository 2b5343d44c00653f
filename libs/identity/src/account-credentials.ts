import { returning } from './returning';
import { randomInt, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CODE_ATTEMPTS, CODE_TTL_MS, lockSeconds } from './lockout';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';
import { PersonalDataVault } from './personal-data';
import { SmsPort } from './sms';
import { IdentityError, Subject } from './subject';

interface AccountRow {
  account_id: string;
  password_hash: string | null;
  verified_at: Date | null;
  failed_attempts: number;
  locked_until: Date | null;
  erased_at: Date | null;
}

type Purpose = 'verify' | 'reset';

/**
 * Card owners' credentials: register with a phone number and a password, prove the phone with a
 * texted code, log in, reset the password with a code, be erased. SMS codes are what NIST SP
 * 800-63B calls a restricted authenticator; the SmsPort is where another factor would plug in.
 */
export class AccountCredentials {
  constructor(
    private readonly db: DataSource,
    private readonly vault: PersonalDataVault,
    private readonly sms: SmsPort,
  ) {}

  private lookup = (phone: string): string => this.vault.fingerprint('phone', phone);

  private async byPhone(phone: string): Promise<AccountRow | undefined> {
    const [row] = await this.db.query('SELECT * FROM identity_account WHERE phone_lookup = $1', [this.lookup(phone)]);
    return row;
  }

  /** A verified phone refuses; an unverified registration of the same phone is replaced (its owner gets the new code). */
  async register(phone: string, password: string, now: Date): Promise<{ accountId: string }> {
    const weak = passwordProblem(password);
    if (weak) throw new IdentityError('WEAK_PASSWORD', weak, 'password');
    const existing = await this.byPhone(phone);
    if (existing?.verified_at)
      throw new IdentityError(
        'PHONE_ALREADY_REGISTERED',
        'an account with this phone number exists; log in or reset the password',
        'phoneNumber',
      );
    const hash = await hashPassword(password);
    const accountId = existing?.account_id ?? randomUUID();
    if (existing) {
      await this.db.query('UPDATE identity_account SET password_hash = $2 WHERE account_id = $1', [accountId, hash]);
    } else {
      const wrapped = this.vault.newWrappedKey();
      await this.db.transaction(async (em) => {
        await em.query('INSERT INTO identity_account_key (account_id, wrapped_key) VALUES ($1, $2)', [accountId, wrapped]);
        await em.query(
          'INSERT INTO identity_account (account_id, phone_lookup, phone_sealed, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
          [accountId, this.lookup(phone), this.vault.seal(wrapped, phone), hash, now],
        );
      });
    }
    await this.sendCode(accountId, phone, 'verify', now);
    return { accountId };
  }

  /** Answers the account id once the phone is proven; `firstTime` says whether it just was. */
  async verify(phone: string, code: string, now: Date): Promise<{ accountId: string; firstTime: boolean }> {
    const row = await this.byPhone(phone);
    if (!row) throw new IdentityError('CODE_INVALID', 'the code is wrong or has expired; request a new one', 'code');
    await this.checkCode(row.account_id, 'verify', code, now);
    const [updated] = await returning(
      this.db,
      'UPDATE identity_account SET verified_at = $2 WHERE account_id = $1 AND verified_at IS NULL RETURNING account_id',
      [row.account_id, now],
    );
    return { accountId: row.account_id, firstTime: !!updated || !row.verified_at };
  }

  async login(phone: string, password: string, now: Date): Promise<Subject> {
    const row = await this.byPhone(phone);
    if (row?.locked_until && row.locked_until > now) {
      throw new IdentityError(
        'ACCOUNT_LOCKED',
        'too many failed attempts; try again later',
        'phoneNumber',
        Math.ceil((row.locked_until.getTime() - now.getTime()) / 1000),
      );
    }
    if (!(await verifyPassword(row?.password_hash ?? null, password)) || !row) {
      if (row) await this.recordFailure(row, now);
      throw new IdentityError('INVALID_CREDENTIALS', 'the phone number or the password is wrong');
    }
    await this.db.query('UPDATE identity_account SET failed_attempts = 0, locked_until = NULL WHERE account_id = $1', [row.account_id]);
    if (!row.verified_at)
      throw new IdentityError('ACCOUNT_NOT_VERIFIED', 'verify the phone number with the texted code first', 'phoneNumber');
    return { kind: 'account', id: row.account_id, role: 'owner', scopes: [] };
  }

  /** Always answers the same, so it cannot tell which phone numbers have accounts. */
  async requestReset(phone: string, now: Date): Promise<void> {
    const row = await this.byPhone(phone);
    if (row?.verified_at) await this.sendCode(row.account_id, phone, 'reset', now);
  }

  async confirmReset(phone: string, code: string, password: string, now: Date): Promise<{ accountId: string }> {
    const weak = passwordProblem(password);
    if (weak) throw new IdentityError('WEAK_PASSWORD', weak, 'password');
    const row = await this.byPhone(phone);
    if (!row) throw new IdentityError('CODE_INVALID', 'the code is wrong or has expired; request a new one', 'code');
    await this.checkCode(row.account_id, 'reset', code, now);
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

  async isErased(accountId: string): Promise<boolean> {
    const [row] = await this.db.query('SELECT erased_at FROM identity_account WHERE account_id = $1', [accountId]);
    return !row || row.erased_at !== null;
  }

  private async recordFailure(row: AccountRow, now: Date): Promise<void> {
    const failures = row.failed_attempts + 1;
    const lock = lockSeconds(failures);
    await this.db.query('UPDATE identity_account SET failed_attempts = $2, locked_until = $3 WHERE account_id = $1', [
      row.account_id,
      failures,
      lock ? new Date(now.getTime() + lock * 1000) : null,
    ]);
  }

  private async sendCode(accountId: string, phone: string, purpose: Purpose, now: Date): Promise<void> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.db.query(
      `INSERT INTO identity_code (account_id, purpose, code_hash, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT (account_id, purpose) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, attempts = 0`,
      [accountId, purpose, this.vault.fingerprint('code', `${accountId}:${purpose}:${code}`), new Date(now.getTime() + CODE_TTL_MS)],
    );
    await this.sms.send(
      phone,
      `Your ledger ${purpose === 'verify' ? 'verification' : 'password reset'} code is ${code}. It expires in 10 minutes.`,
    );
  }

  private async checkCode(accountId: string, purpose: Purpose, code: string, now: Date): Promise<void> {
    const [row] = await this.db.query('SELECT code_hash, expires_at, attempts FROM identity_code WHERE account_id = $1 AND purpose = $2', [
      accountId,
      purpose,
    ]);
    const wrong = () => new IdentityError('CODE_INVALID', 'the code is wrong or has expired; request a new one', 'code');
    if (!row || row.expires_at <= now || row.attempts >= CODE_ATTEMPTS) throw wrong();
    if (row.code_hash !== this.vault.fingerprint('code', `${accountId}:${purpose}:${code}`)) {
      await this.db.query('UPDATE identity_code SET attempts = attempts + 1 WHERE account_id = $1 AND purpose = $2', [accountId, purpose]);
      throw wrong();
    }
    await this.db.query('DELETE FROM identity_code WHERE account_id = $1 AND purpose = $2', [accountId, purpose]);
  }
}
