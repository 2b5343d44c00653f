import { MigrationInterface, QueryRunner } from 'typeorm';

/** Where a projection stands (running, stopped, failed on which event), readable from any process. */
export class ProjectionStatus1765000000000 implements MigrationInterface {
  name = 'ProjectionStatus1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE projection_status (
      name text PRIMARY KEY,
      state text NOT NULL CHECK (state IN ('running', 'stopped', 'failed')),
      failed_event_id text NULL,
      failed_position bigint NULL,
      error text NULL,
      changed_at timestamptz NOT NULL,
      heartbeat_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE projection_status');
  }
}
