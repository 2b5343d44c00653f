import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation runs are records of their own, never rewritten: what was matched (the day, the
 * inputs' SHA-256), what came out (the report's bytes and hash), chained to the run before by hash.
 */
export class ReconciliationRuns1770000000000 implements MigrationInterface {
  name = 'ReconciliationRuns1770000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE reconciliation_run (
      seq bigserial PRIMARY KEY,
      day date NOT NULL,
      settlement_sha256 text NOT NULL,
      ledger_sha256 text NOT NULL,
      report_sha256 text NOT NULL,
      breaks integer NOT NULL,
      previous_hash text NOT NULL,
      hash text NOT NULL UNIQUE,
      report text NOT NULL,
      ran_at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX reconciliation_run_day ON reconciliation_run (day)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE reconciliation_run');
  }
}
