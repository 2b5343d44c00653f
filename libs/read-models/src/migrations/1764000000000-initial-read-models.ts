import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialReadModels1764000000000 implements MigrationInterface {
  name = 'InitialReadModels1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE card_balance (
      subscription_id text PRIMARY KEY,
      account_id text NOT NULL,
      iccid text NOT NULL,
      region text NOT NULL,
      expires_at timestamptz NULL,
      buckets jsonb NOT NULL,
      granted_mb integer NOT NULL,
      used_mb integer NOT NULL,
      forfeited_mb integer NOT NULL,
      plans_bought integer NOT NULL,
      pending_renewal_id text NULL,
      last_revision integer NOT NULL,
      last_position bigint NOT NULL)`);
    await q.query(`CREATE INDEX card_balance_account ON card_balance (account_id)`);
    await q.query(`CREATE TABLE renewal (
      renewal_id text PRIMARY KEY,
      subscription_id text NOT NULL,
      plan_id text NOT NULL,
      status text NOT NULL,
      reason text NULL,
      price_minor integer NOT NULL,
      currency text NOT NULL,
      payment_method text NOT NULL,
      new_expiry timestamptz NULL,
      last_revision integer NOT NULL,
      last_position bigint NOT NULL)`);
    await q.query(`CREATE INDEX renewal_subscription ON renewal (subscription_id)`);
    await q.query(`CREATE TABLE projection_checkpoint (
      name text PRIMARY KEY,
      position bigint NOT NULL,
      updated_at timestamptz NOT NULL)`);
    await q.query(`CREATE TABLE account_contact (
      account_id text PRIMARY KEY,
      phone_number text NOT NULL,
      created_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['account_contact', 'projection_checkpoint', 'renewal', 'card_balance']) await q.query(`DROP TABLE ${t}`);
  }
}
