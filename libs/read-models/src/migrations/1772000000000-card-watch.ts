import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * For the console and the card watch ([11]): a card's use per UTC day over the last two weeks (the
 * burn-rate forecast), its latest reminder, the validity end it was reminded of and when the next is
 * due (with the plan days it depends on), and its soonest bucket end (both indexed: the watch's
 * sweep is two range scans). Rows written before
 * have none of it until their next event, or a rebuild (`npm run projections -- rebuild`) replays it.
 */
export class CardWatch1772000000000 implements MigrationInterface {
  name = 'CardWatch1772000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_balance ADD COLUMN usage_days jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query('ALTER TABLE card_balance ADD COLUMN reminder jsonb NULL');
    await q.query('ALTER TABLE card_balance ADD COLUMN validity_reminded_for timestamptz NULL');
    await q.query('ALTER TABLE card_balance ADD COLUMN next_bucket_expiry timestamptz NULL');
    await q.query('CREATE INDEX card_balance_next_bucket_expiry ON card_balance (next_bucket_expiry)');
    await q.query('ALTER TABLE card_balance ADD COLUMN selected_days integer NULL');
    await q.query('ALTER TABLE card_balance ADD COLUMN period_days integer NULL');
    await q.query('ALTER TABLE card_balance ADD COLUMN validity_remind_at timestamptz NULL');
    await q.query('CREATE INDEX card_balance_validity_remind_at ON card_balance (validity_remind_at)');
    // Existing rows: reminded 48 hours before their end (their period is not known until a rebuild).
    await q.query(`UPDATE card_balance SET validity_remind_at = expires_at - interval '48 hours' WHERE expires_at IS NOT NULL`);
    // Existing rows: their soonest bucket end, from the buckets they hold.
    await q.query(
      `UPDATE card_balance SET next_bucket_expiry = (SELECT min((b->>'expiresAt')::timestamptz) FROM jsonb_array_elements(buckets) b)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of [
      'usage_days',
      'reminder',
      'validity_reminded_for',
      'next_bucket_expiry',
      'selected_days',
      'period_days',
      'validity_remind_at',
    ])
      await q.query(`ALTER TABLE card_balance DROP COLUMN ${c}`);
  }
}
