import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent, bucketExpired, bucketGranted, bucketsRevoked, bucketsDrawn, usageAdded } from '@ledger/domain';
import { Projection, ReadModelTable, isSubscriptionEvent, subscriptionIdOf } from '../projection';
import { ColumnSpec } from '../database/row-sql';
import { applyKeyedRows } from '../keyed-rows';
import { BucketView } from './card-balance.entity';

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
  { name: 'last_revision', type: 'integer' },
  { name: 'last_position', type: 'bigint' },
];

type Fields = Omit<Row, 'last_revision' | 'last_position'>;

const reduce = (row: Fields | undefined, e: SubscriptionEvent): Fields | undefined => {
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
    };
  }
  if (!row) return undefined;
  switch (e.type) {
    case 'PlanSelected':
      return { ...row, pending_renewal_id: e.data.renewalId };
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
