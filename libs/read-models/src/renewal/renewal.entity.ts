import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'renewal' })
export class RenewalEntity {
  @PrimaryColumn({ name: 'renewal_id', type: 'text' })
  renewalId!: string;

  @Column({ name: 'subscription_id', type: 'text' })
  subscriptionId!: string;

  @Column({ name: 'plan_id', type: 'text' })
  planId!: string;

  @Column({ type: 'text' })
  status!: 'pending' | 'completed' | 'failed' | 'abandoned';

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'price_minor', type: 'integer' })
  priceMinor!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'payment_method', type: 'text' })
  paymentMethod!: string;

  @Column({ name: 'new_expiry', type: 'timestamptz', nullable: true })
  newExpiry!: Date | null;

  @Column({ name: 'refunded_minor', type: 'integer' })
  refundedMinor!: number;

  @Column({ name: 'revoked_mb', type: 'integer' })
  revokedMb!: number;

  @Column({ type: 'text', nullable: true })
  chargeback!: 'open' | 'won' | 'lost' | null;

  @Column({ name: 'next_action', type: 'jsonb', nullable: true })
  nextAction!: { type: string; url: string } | null;

  @Column({ type: 'jsonb' })
  history!: { at: string; event: string; detail?: string }[];

  @Column({ name: 'last_revision', type: 'integer' })
  lastRevision!: number;

  @Column({ name: 'last_position', type: 'bigint' })
  lastPosition!: string;
}
