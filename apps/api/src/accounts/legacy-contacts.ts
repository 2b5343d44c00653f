import { DataSource } from 'typeorm';
import { PersonalDataVault } from '@ledger/identity';

/**
 * Before identity existed, phone numbers sat in account_contact in clear. At boot each one moves
 * into identity_account, sealed under a new per-account key, and the clear row is deleted. Those
 * accounts have no password: their owners set one with a password reset (a code to that phone).
 * A number registered twice back then keeps only its first account reachable by phone.
 */
export const moveLegacyContacts = async (db: DataSource, vault: PersonalDataVault): Promise<number> => {
  const rows: { account_id: string; phone_number: string; created_at: Date }[] = await db.query(
    'SELECT * FROM account_contact ORDER BY created_at',
  );
  for (const r of rows) {
    const wrapped = vault.newWrappedKey();
    const lookup = vault.fingerprint('phone', r.phone_number);
    await db.transaction(async (em) => {
      const [taken] = await em.query('SELECT 1 FROM identity_account WHERE phone_lookup = $1', [lookup]);
      await em.query('INSERT INTO identity_account_key (account_id, wrapped_key) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        r.account_id,
        wrapped,
      ]);
      await em.query(
        `INSERT INTO identity_account (account_id, phone_lookup, phone_sealed, verified_at, created_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING`,
        [r.account_id, taken ? null : lookup, vault.seal(wrapped, r.phone_number), r.created_at],
      );
      await em.query('DELETE FROM account_contact WHERE account_id = $1', [r.account_id]);
    });
  }
  return rows.length;
};
