import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settlement runs across days: a capture settled in one day's file is closed for the runs of later
 * days, and one still open stays on the ledger side until a file settles it (or its grace ends and it
 * is a break). Each matched movement records the earliest settlement day that matched it.
 */
export class SettlementMatches1771000000000 implements MigrationInterface {
  name = 'SettlementMatches1771000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE settlement_match (
      movement_id text PRIMARY KEY,
      day date NOT NULL,
      line integer NOT NULL,
      run_seq bigint NOT NULL REFERENCES reconciliation_run (seq) DEFERRABLE INITIALLY DEFERRED)`);
    await q.query('CREATE INDEX settlement_match_day ON settlement_match (day)');
    // A payment's money back (revenue) and the lines a file names (matching) are read by reference.
    await q.query('CREATE INDEX money_movement_reference ON money_movement (reference)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX money_movement_reference');
    await q.query('DROP TABLE settlement_match');
  }
}
