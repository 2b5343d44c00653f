import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settlement runs across days: a capture settled in one day's file is closed for the runs of later
 * days, and one still open stays on the ledger side until a file settles it (or its grace ends and it
 * is a break). A row per movement and settlement day that matched it; a re-run of a day replaces that
 * day's rows. Runs stored before this (which matched each day's movements with that day's file) are
 * carried over: each day's movements its latest run did not report unsettled count as settled then.
 */
export class SettlementMatches1771000000000 implements MigrationInterface {
  name = 'SettlementMatches1771000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE settlement_match (
      movement_id text NOT NULL,
      day date NOT NULL,
      line integer NOT NULL,
      run_seq bigint NOT NULL REFERENCES reconciliation_run (seq) DEFERRABLE INITIALLY DEFERRED,
      PRIMARY KEY (movement_id, day))`);
    await q.query('CREATE INDEX settlement_match_day ON settlement_match (day)');
    await q.query(`INSERT INTO settlement_match (movement_id, day, line, run_seq)
      SELECT m.movement_id, r.day, 0, r.seq
      FROM (SELECT DISTINCT ON (day) day, seq, report FROM reconciliation_run ORDER BY day, seq DESC) r
      JOIN money_movement m ON m.occurred_at >= r.day::timestamp AT TIME ZONE 'UTC' AND m.occurred_at < (r.day + 1)::timestamp AT TIME ZONE 'UTC'
      WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(r.report::jsonb -> 'breaks') b
                        WHERE b->>'reference' = m.reference AND b->>'movement' = m.kind AND b->>'kind' IN ('timing', 'missing_at_provider'))
        AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(r.report::jsonb -> 'pending') p
                        WHERE jsonb_typeof(p) = 'object' AND p->>'reference' = m.reference AND p->>'kind' = m.kind)`);
    // A payment's money back (revenue) and the lines a file names (matching) are read by reference.
    await q.query('CREATE INDEX money_movement_reference ON money_movement (reference)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX money_movement_reference');
    await q.query('DROP TABLE settlement_match');
  }
}
