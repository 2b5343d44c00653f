import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PaymentStatus } from './payment.projection';

/** One renewal's payment attempt, as finance reads it (payment.projection.ts writes it). */
@Entity({ name: 'payment' })
export class PaymentEntity {
  @PrimaryColumn({ name: 'payment_id', type: 'text' })
  paymentId!: string;

  @Column({ name: 'renewal_id', type: 'text' })
  renewalId!: string;

  @Column({ name: 'subscription_id', type: 'text' })
  subscriptionId!: string;

  @Column({ name: 'plan_id', type: 'text' })
  planId!: string;

  @Column({ type: 'text' })
  method!: string;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'list_minor', type: 'integer' })
  listMinor!: number;

  @Column({ type: 'integer' })
  days!: number;

  @Column({ name: 'data_mb', type: 'integer' })
  dataMb!: number;

  @Column({ name: 'period_end', type: 'timestamptz', nullable: true })
  periodEnd!: Date | null;

  @Column({ name: 'forfeited_mb', type: 'integer' })
  forfeitedMb!: number;

  @Column({ type: 'jsonb' })
  discounts!: { kind: string; promotionId: string; amountMinor: number }[];

  @Column({ name: 'amount_minor', type: 'integer' })
  amountMinor!: number;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  @Column({ name: 'provider_reference', type: 'text', nullable: true })
  providerReference!: string | null;

  @Column({ name: 'fee_minor', type: 'integer', nullable: true })
  feeMinor!: number | null;

  @Column({ name: 'selected_at', type: 'timestamptz' })
  selectedAt!: Date;

  @Column({ name: 'captured_at', type: 'timestamptz', nullable: true })
  capturedAt!: Date | null;

  @Column({ name: 'refunded_minor', type: 'integer' })
  refundedMinor!: number;

  @Column({ type: 'integer' })
  refunds!: number;

  @Column({ name: 'chargebacks_lost', type: 'integer' })
  chargebacksLost!: number;

  @Column({ type: 'text', nullable: true })
  chargeback!: 'open' | 'won' | 'lost' | null;

  @Column({ name: 'chargeback_lost_minor', type: 'integer' })
  chargebackLostMinor!: number;

  @Column({ name: 'entitlement_granted', type: 'boolean' })
  entitlementGranted!: boolean;

  @Column({ type: 'integer' })
  revocations!: number;

  @Column({ type: 'jsonb' })
  history!: { at: string; status: string; detail?: string }[];

  @Column({ name: 'last_revision', type: 'integer' })
  lastRevision!: number;

  @Column({ name: 'last_position', type: 'bigint' })
  lastPosition!: string;
}
