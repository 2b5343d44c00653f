import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The auditors' index of every event ([12]), filled by its projection (a rebuild replays the log
 * into it: `npm run projections -- rebuild audit_event`). Each query filter has an index that
 * ends in the log position, so a page is a range scan in log order.
 */
export class AuditEvents1773000000000 implements MigrationInterface {
  name = 'AuditEvents1773000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_event (
      event_id text PRIMARY KEY,
      stream_id text NOT NULL,
      subscription_id text NULL,
      account_id text NULL,
      type text NOT NULL,
      actor text NULL,
      correlation_id text NULL,
      causation_id text NULL,
      command_id text NULL,
      recorded_at timestamptz NOT NULL,
      last_revision integer NOT NULL,
      last_position bigint NOT NULL)`);
    for (const column of ['actor', 'correlation_id', 'causation_id', 'type', 'account_id', 'subscription_id', 'recorded_at'])
      await q.query(`CREATE INDEX audit_event_${column} ON audit_event (${column}, last_position)`);
    await q.query('CREATE INDEX audit_event_position ON audit_event (last_position)');
    // A type within a time range: the range narrows it far more than the type alone.
    await q.query('CREATE INDEX audit_event_type_time ON audit_event (type, recorded_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_event');
  }
}
