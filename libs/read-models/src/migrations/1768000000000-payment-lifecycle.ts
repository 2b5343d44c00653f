import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds, chargebacks and revocations ([9]): what a card gave back, and each renewal's payment
 * history (every step of its payment as the card recorded it). Rows written before keep their
 * values; a rebuild fills the new columns from the events.
 */
export class PaymentLifecycle1768000000000 implements MigrationInterface {
  name = 'PaymentLifecycle1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE card_balance ADD COLUMN revoked_mb integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE renewal ADD COLUMN refunded_minor integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE renewal ADD COLUMN revoked_mb integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE renewal ADD COLUMN chargeback text NULL');
    await q.query('ALTER TABLE renewal ADD COLUMN next_action jsonb NULL');
    await q.query(`ALTER TABLE renewal ADD COLUMN history jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['refunded_minor', 'revoked_mb', 'chargeback', 'next_action', 'history'])
      await q.query(`ALTER TABLE renewal DROP COLUMN ${c}`);
    await q.query('ALTER TABLE card_balance DROP COLUMN revoked_mb');
  }
}
