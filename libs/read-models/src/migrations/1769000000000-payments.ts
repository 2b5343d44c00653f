import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payments read model ([10]): every renewal's payment attempt for finance, and every movement
 * of money (capture, refund, lost chargeback) the ledger booked. Filled from the
 * events by its projection; on an existing database, `npm run projections -- rebuild payment` fills it
 * from the whole log (the projector alone starts it from its current checkpoint).
 */
export class Payments1769000000000 implements MigrationInterface {
  name = 'Payments1769000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE payment (
      payment_id text PRIMARY KEY,
      renewal_id text NOT NULL,
      subscription_id text NOT NULL,
      plan_id text NOT NULL,
      method text NOT NULL,
      currency text NOT NULL,
      list_minor integer NOT NULL,
      days integer NOT NULL,
      data_mb integer NOT NULL,
      period_end timestamptz NULL,
      forfeited_mb integer NOT NULL,
      discounts jsonb NOT NULL,
      amount_minor integer NOT NULL,
      status text NOT NULL,
      provider_reference text NULL,
      fee_minor integer NULL,
      selected_at timestamptz NOT NULL,
      captured_at timestamptz NULL,
      refunded_minor integer NOT NULL,
      refunds integer NOT NULL,
      chargebacks_lost integer NOT NULL,
      chargeback text NULL,
      chargeback_lost_minor integer NOT NULL,
      entitlement_granted boolean NOT NULL,
      revocations integer NOT NULL,
      history jsonb NOT NULL,
      last_revision integer NOT NULL,
      last_position bigint NOT NULL)`);
    await q.query('CREATE INDEX payment_captured_at ON payment (captured_at)');
    await q.query('CREATE INDEX payment_subscription ON payment (subscription_id)');
    // Every movement of money the ledger booked: the ledger side of settlement matching, by day.
    await q.query(`CREATE TABLE money_movement (
      movement_id text PRIMARY KEY,
      reference text NOT NULL,
      kind text NOT NULL,
      subscription_id text NOT NULL,
      renewal_id text NOT NULL,
      currency text NOT NULL,
      gross_minor integer NOT NULL,
      fee_minor integer NULL,
      occurred_at timestamptz NOT NULL,
      last_revision integer NOT NULL,
      last_position bigint NOT NULL)`);
    await q.query('CREATE INDEX money_movement_occurred_at ON money_movement (occurred_at, movement_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE money_movement');
    await q.query('DROP TABLE payment');
  }
}
