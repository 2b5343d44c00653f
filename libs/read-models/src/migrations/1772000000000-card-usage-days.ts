import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A card's use per UTC day over the last two weeks, for the burn-rate forecast. Rows written before
 * have none until their next use, or a rebuild (`npm run projections -- rebuild`) replays it.
 */
export class CardUsageDays1772000000000 implements MigrationInterface {
  name = 'CardUsageDays1772000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_balance ADD COLUMN usage_days jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE card_balance DROP COLUMN usage_days');
  }
}
