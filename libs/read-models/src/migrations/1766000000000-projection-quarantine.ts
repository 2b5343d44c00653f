import { MigrationInterface, QueryRunner } from 'typeorm';

/** Streams a projection set aside at an event it could not apply; the rest of the log goes on. */
export class ProjectionQuarantine1766000000000 implements MigrationInterface {
  name = 'ProjectionQuarantine1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE projection_quarantine (
      name text NOT NULL,
      stream_id text NOT NULL,
      event_id text NOT NULL,
      position bigint NOT NULL,
      event_type text NOT NULL,
      error text NOT NULL,
      quarantined_at timestamptz NOT NULL,
      PRIMARY KEY (name, stream_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE projection_quarantine');
  }
}
