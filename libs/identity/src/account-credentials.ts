import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PasswordLockout } from './lockout';
import { OneTimeCodes, wrongCode } from './one-time-codes';
import { hashPassword, passwordProblem } from './passwords';
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

/**
 * Card owners' credentials: register a phone number, prove it with a texted code (setting the
 * password at that moment, so whoever registered first cannot keep one), log in, reset the password
 * with a code, be erased. SMS codes are what NIST SP 800-63B calls a restricted authenticator; the
 * SmsPort is where another factor would plug in. Every counter moves in one statement, so
 * parallel guesses cannot share one count.
 */
export class AccountCredentials {
  private readonly codes: OneTimeCodes;
  private readonly lockout: PasswordLockout;

  constructor(
    private readonly db: DataSource,
    private readonly vault: PersonalDataVault,
    private readonly sms: SmsPort,
  ) {
    this.codes = new OneTimeCodes(db, vault, sms);
    this.lockout = new PasswordLockout(db, 'identity_account', 'account_id', 'phoneNumber', 'the phone number or the password is wrong');
  }

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
      if (await this.codes.counted(row.account_id, now)) {
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
    await this.codes.send(row.account_id, phone, 'verify', now);
  }

  /** Proves the phone and sets the password; answers the account id. */
  async verify(phone: string, code: string, password: string, now: Date): Promise<{ accountId: string }> {
    const weak = passwordProblem(password);
    if (weak) throw new IdentityError('WEAK_PASSWORD', weak, 'password');
    const row = await this.byPhone(phone);
    if (!row || row.verified_at) throw wrongCode();
    await this.codes.spend(row.account_id, 'verify', code, now);
    await this.db.query('UPDATE identity_account SET verified_at = $2, password_hash = $3 WHERE account_id = $1', [
      row.account_id,
      now,
      await hashPassword(password),
    ]);
    return { accountId: row.account_id };
  }

  async login(phone: string, password: string, now: Date): Promise<Subject> {
    const row = await this.byPhone(phone);
    await this.lockout.verify(row && { id: row.account_id, passwordHash: row.password_hash, lockedUntil: row.locked_until }, password, now);
    // An unverified account has no password yet, so the check above refused it.
    return { kind: 'account', id: row!.account_id, role: 'owner', scopes: [] };
  }

  /** Answers the same whether or not the phone has an account, so it cannot be used to find them. */
  async requestReset(phone: string, now: Date): Promise<void> {
    const row = await this.byPhone(phone);
    if (row?.verified_at)
      await this.codes
        .send(row.account_id, phone, 'reset', now)
        .catch((err) => (err instanceof IdentityError ? undefined : Promise.reject(err)));
  }

  async confirmReset(phone: string, code: string, password: string, now: Date): Promise<{ accountId: string }> {
    const weak = passwordProblem(password);
    if (weak) throw new IdentityError('WEAK_PASSWORD', weak, 'password');
    const row = await this.byPhone(phone);
    if (!row?.verified_at) throw wrongCode();
    await this.codes.spend(row.account_id, 'reset', code, now);
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
}
