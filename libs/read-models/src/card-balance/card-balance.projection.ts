import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import {
  SubscriptionEvent,
  bucketExpired,
  bucketGranted,
  bucketsRevoked,
  bucketsDrawn,
  usageAdded,
  validityReminderAt,
} from '@ledger/domain';
import { Projection, ReadModelTable, isSubscriptionEvent, subscriptionIdOf } from '../projection';
import { ColumnSpec } from '../database/row-sql';
import { applyKeyedRows } from '../keyed-rows';
import { BucketView, CardReminder } from './card-balance.entity';

/** The card_balance row as stored (column names), so a batch never goes through entity hydration. */
interface Row {
  subscription_id: string;
  account_id: string;
  iccid: string;
  region: string;
  expires_at: string | Date | null;
  buckets: BucketView[];
  granted_mb: number;
  used_mb: number;
  forfeited_mb: number;
  revoked_mb: number;
  plans_bought: number;
  pending_renewal_id: string | null;
  usage_days: Record<string, number>;
  reminder: CardReminder | null;
  validity_reminded_for: string | Date | null;
  selected_days: number | null;
  period_days: number | null;
  validity_remind_at: string | Date | null;
  next_bucket_expiry: string | null;
  last_revision: number;
  last_position: string | number;
}

const COLUMNS: readonly ColumnSpec[] = [
  { name: 'subscription_id', type: 'text' },
  { name: 'account_id', type: 'text' },
  { name: 'iccid', type: 'text' },
  { name: 'region', type: 'text' },
  { name: 'expires_at', type: 'timestamptz' },
  { name: 'buckets', type: 'jsonb' },
  { name: 'granted_mb', type: 'integer' },
  { name: 'used_mb', type: 'integer' },
  { name: 'forfeited_mb', type: 'integer' },
  { name: 'revoked_mb', type: 'integer' },
  { name: 'plans_bought', type: 'integer' },
  { name: 'pending_renewal_id', type: 'text' },
  { name: 'usage_days', type: 'jsonb' },
  { name: 'reminder', type: 'jsonb' },
  { name: 'validity_reminded_for', type: 'timestamptz' },
  { name: 'selected_days', type: 'integer' },
  { name: 'period_days', type: 'integer' },
  { name: 'validity_remind_at', type: 'timestamptz' },
  { name: 'next_bucket_expiry', type: 'timestamptz' },
  { name: 'last_revision', type: 'integer' },
  { name: 'last_position', type: 'bigint' },
];

type Fields = Omit<Row, 'last_revision' | 'last_position'>;

/** The soonest bucket end: when the card watch must forfeit (indexed, so its sweep is a range scan). */
const withNextExpiry = (row: Fields | undefined): Fields | undefined => {
  if (!row) return row;
  const next = row.buckets.reduce<string | null>(
    (min, b) => (min === null || Date.parse(b.expiresAt) < Date.parse(min) ? b.expiresAt : min),
    null,
  );
  return { ...row, next_bucket_expiry: next };
};

const reduce = (row: Fields | undefined, e: SubscriptionEvent): Fields | undefined => withNextExpiry(reduceEvent(row, e));

const reduceEvent = (row: Fields | undefined, e: SubscriptionEvent): Fields | undefined => {
  if (e.type === 'SubscriptionOpened') {
    if (row) return row;
    const d = e.data;
    return {
      subscription_id: d.subscriptionId,
      account_id: d.accountId,
      iccid: d.iccid,
      region: d.region,
      expires_at: null,
      buckets: [],
      granted_mb: 0,
      used_mb: 0,
      forfeited_mb: 0,
      revoked_mb: 0,
      plans_bought: 0,
      pending_renewal_id: null,
      usage_days: {},
      reminder: null,
      validity_reminded_for: null,
      selected_days: null,
      period_days: null,
      validity_remind_at: null,
      next_bucket_expiry: null,
    };
  }
  if (!row) return undefined;
  switch (e.type) {
    case 'PlanSelected':
      return { ...row, pending_renewal_id: e.data.renewalId, selected_days: e.data.days };
    case 'PaymentFailed':
    case 'RenewalAbandoned':
      return { ...row, pending_renewal_id: null };
    case 'PaymentCaptured':
    case 'PaymentActionRequired':
    case 'PaymentRefunded':
    case 'ChargebackOpened':
    case 'ChargebackResolved':
      return row;
    case 'EntitlementRevoked':
      return {
        ...row,
        expires_at: e.data.newExpiry,
        validity_remind_at: e.data.newExpiry ? validityReminderAt(e.data.newExpiry, row.period_days) : null,
        buckets: bucketsRevoked(row.buckets, e.data),
        revoked_mb: row.revoked_mb + e.data.mbRevoked,
      };
    case 'ValidityExtended': {
      const d = e.data;
      return {
        ...row,
        expires_at: d.newExpiry,
        buckets: bucketGranted(row.buckets, d),
        granted_mb: row.granted_mb + d.dataMbGranted,
        plans_bought: row.plans_bought + 1,
        pending_renewal_id: null,
        reminder: null,
        period_days: row.selected_days,
        validity_remind_at: validityReminderAt(d.newExpiry, row.selected_days),
      };
    }
    case 'DataUsageRecorded': {
      return {
        ...row,
        buckets: bucketsDrawn(row.buckets, e.data.from),
        used_mb: row.used_mb + e.data.mb,
        usage_days: usageAdded(row.usage_days ?? {}, e.data.recordedAt, e.data.mb),
      };
    }
    case 'DataExpired':
      return {
        ...row,
        buckets: bucketExpired(row.buckets, e.data.bucketId),
        forfeited_mb: row.forfeited_mb + e.data.mbForfeited,
      };
    case 'RenewalReminderDue': {
      const d = e.data;
      return {
        ...row,
        reminder: { reminderId: d.reminderId, reason: d.reason, dueAt: d.dueAt, dataRunsOutAt: d.dataRunsOutAt },
        validity_reminded_for: d.reason === 'validity_ending' ? d.expiresAt : row.validity_reminded_for,
      };
    }
  }
};

/** Balance and expiry per card; its buckets move by the domain's own rules (buckets.ts). `suffix` is empty for the live table, `__rebuild` for a rebuild's shadow. */
export class CardBalanceProjection implements Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];

  constructor(suffix = '') {
    this.name = `card_balance${suffix}`;
    this.tables = [{ name: `card_balance${suffix}`, primaryKey: 'subscription_id' }];
  }

  applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<number> {
    const keyOf = (e: RecordedEvent) => (isSubscriptionEvent(e) ? subscriptionIdOf(e) : null);
    return applyKeyedRows<Fields>({ table: this.tables[0].name, key: 'subscription_id', columns: COLUMNS, keyOf, reduce }, events, em);
  }
}
