import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent, upcastSubscriptionEvent } from '@ledger/domain';
import { Projection, ReadModelTable, isSubscriptionEvent, subscriptionIdOf } from '../projection';
import { ColumnSpec, selectRows, upsertRows } from '../database/row-sql';
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
  plans_bought: number;
  pending_renewal_id: string | null;
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
  { name: 'plans_bought', type: 'integer' },
  { name: 'pending_renewal_id', type: 'text' },
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
      plans_bought: 0,
      pending_renewal_id: null,
    };
  }
  if (!row) return undefined;
  switch (e.type) {
    case 'PlanSelected':
      return { ...row, pending_renewal_id: e.data.renewalId };
    case 'PaymentFailed':
      return { ...row, pending_renewal_id: null };
    case 'PaymentCaptured':
      return row;
    case 'ValidityExtended': {
      const d = e.data;
      const bucket = { bucketId: d.bucketId, mbGranted: d.dataMbGranted, mbRemaining: d.dataMbGranted, expiresAt: d.newExpiry };
      return {
        ...row,
        expires_at: d.newExpiry,
        buckets: [...row.buckets, bucket],
        granted_mb: row.granted_mb + d.dataMbGranted,
        plans_bought: row.plans_bought + 1,
        pending_renewal_id: null,
      };
    }
    case 'DataUsageRecorded': {
      const drawn = new Map(e.data.from.map((f) => [f.bucketId, f.mb]));
      const buckets = row.buckets.map((b) => ({ ...b, mbRemaining: b.mbRemaining - (drawn.get(b.bucketId) ?? 0) }));
      return { ...row, buckets, used_mb: row.used_mb + e.data.mb };
    }
    case 'DataExpired':
      return {
        ...row,
        buckets: row.buckets.filter((b) => b.bucketId !== e.data.bucketId),
        forfeited_mb: row.forfeited_mb + e.data.mbForfeited,
      };
  }
};

/** Balance and expiry per card. `suffix` is empty for the live table, `__rebuild` for a rebuild's shadow. */
export class CardBalanceProjection implements Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];

  constructor(suffix = '') {
    this.name = `card_balance${suffix}`;
    this.tables = [{ name: `card_balance${suffix}`, primaryKey: 'subscription_id' }];
  }

  async applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<number> {
    const relevant = events.filter(isSubscriptionEvent);
    if (relevant.length === 0) return 0;
    const table = this.tables[0].name;
    const ids = [...new Set(relevant.map(subscriptionIdOf))];
    const rows = new Map((await selectRows<Row>(em, table, 'subscription_id', ids)).map((r) => [r.subscription_id, r]));
    const touched = new Set<string>();
    for (const e of relevant) {
      const id = subscriptionIdOf(e);
      const current = rows.get(id);
      if (current && e.revision <= current.last_revision) continue;
      const next = reduce(current, upcastSubscriptionEvent(e));
      if (!next) continue;
      rows.set(id, { ...next, last_revision: e.revision, last_position: e.position.toString() });
      touched.add(id);
    }
    return upsertRows(
      em,
      table,
      'subscription_id',
      COLUMNS,
      [...touched].map((id) => rows.get(id)!),
    );
  }
}
