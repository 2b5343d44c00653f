import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credentials and personal data, outside the event log. Phone numbers are sealed under a key per
 * account (identity_account_key); erasing an account deletes its key. `phone_lookup` is a keyed
 * fingerprint, so "one account per phone number" holds without storing the number in clear.
 */
export class Identity1767000000000 implements MigrationInterface {
  name = 'Identity1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE identity_account (
      account_id text PRIMARY KEY,
      phone_lookup text NULL UNIQUE,
      phone_sealed text NULL,
      password_hash text NULL,
      verified_at timestamptz NULL,
      failed_attempts integer NOT NULL DEFAULT 0,
      locked_until timestamptz NULL,
      codes_sent integer NOT NULL DEFAULT 0,
      codes_window_start timestamptz NULL,
      erased_at timestamptz NULL,
      created_at timestamptz NOT NULL)`);
    await q.query('CREATE TABLE identity_account_key (account_id text PRIMARY KEY, wrapped_key text NOT NULL)');
    await q.query(`CREATE TABLE identity_code (
      account_id text NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('verify', 'reset')),
      code_hash text NOT NULL,
      expires_at timestamptz NOT NULL,
      sent_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      PRIMARY KEY (account_id, purpose))`);
    await q.query(`CREATE TABLE identity_refresh_token (
      token_hash text PRIMARY KEY,
      family_id text NOT NULL,
      subject text NOT NULL,
      role text NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz NULL,
      revoked_at timestamptz NULL)`);
    await q.query('CREATE INDEX identity_refresh_token_family ON identity_refresh_token (family_id)');
    await q.query(`CREATE TABLE identity_staff (
      staff_id text PRIMARY KEY,
      username text NOT NULL UNIQUE,
      password_hash text NOT NULL,
      role text NOT NULL CHECK (role IN ('support', 'finance', 'auditor', 'admin')),
      failed_attempts integer NOT NULL DEFAULT 0,
      locked_until timestamptz NULL,
      created_at timestamptz NOT NULL)`);
    await q.query(`CREATE TABLE identity_client (
      client_id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      secret_hash text NOT NULL,
      scopes text[] NOT NULL,
      created_at timestamptz NOT NULL)`);
    await q.query(
      'CREATE TABLE card_iccid (iccid text PRIMARY KEY, subscription_id text NOT NULL UNIQUE, account_id text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now())',
    );
    // Cards opened before ICCIDs were claimed, claimed now, once, so none can be opened twice.
    await q.query(
      'INSERT INTO card_iccid (iccid, subscription_id, account_id) SELECT iccid, subscription_id, account_id FROM card_balance ON CONFLICT DO NOTHING',
    );
    // Contacts written before identity existed: the numbers move into identity_account, sealed, at boot (that needs the keys).
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'card_iccid',
      'identity_client',
      'identity_staff',
      'identity_refresh_token',
      'identity_code',
      'identity_account_key',
      'identity_account',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
