import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface BucketView {
  bucketId: string;
  mbGranted: number;
  mbRemaining: number;
  expiresAt: string;
}

/** Balance and expiry of one card, as of `lastPosition` in the global log. */
export interface CardReminder {
  reminderId: string;
  reason: 'low_data' | 'validity_ending';
  dueAt: string;
  dataRunsOutAt: string | null;
}

@Entity({ name: 'card_balance' })
export class CardBalanceEntity {
  @PrimaryColumn({ name: 'subscription_id', type: 'text' })
  subscriptionId!: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId!: string;

  @Column({ type: 'text' })
  iccid!: string;

  @Column({ type: 'text' })
  region!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'jsonb' })
  buckets!: BucketView[];

  @Column({ name: 'granted_mb', type: 'integer' })
  grantedMb!: number;

  @Column({ name: 'used_mb', type: 'integer' })
  usedMb!: number;

  @Column({ name: 'forfeited_mb', type: 'integer' })
  forfeitedMb!: number;

  @Column({ name: 'revoked_mb', type: 'integer' })
  revokedMb!: number;

  @Column({ name: 'plans_bought', type: 'integer' })
  plansBought!: number;

  @Column({ name: 'pending_renewal_id', type: 'text', nullable: true })
  pendingRenewalId!: string | null;

  /** The latest reminder due and not yet answered by a renewal. */
  @Column({ type: 'jsonb', nullable: true })
  reminder!: CardReminder | null;

  @Column({ name: 'validity_reminded_for', type: 'timestamptz', nullable: true })
  validityRemindedFor!: Date | null;

  @Column({ name: 'next_bucket_expiry', type: 'timestamptz', nullable: true })
  nextBucketExpiry!: Date | null;

  /** MB used per UTC day, the last two weeks (the burn-rate forecast). */
  @Column({ name: 'usage_days', type: 'jsonb', default: {} })
  usageDays!: Record<string, number>;

  @Column({ name: 'last_revision', type: 'integer' })
  lastRevision!: number;

  @Column({ name: 'last_position', type: 'bigint' })
  lastPosition!: string;
}
