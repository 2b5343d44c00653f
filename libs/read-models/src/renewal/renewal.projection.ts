import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent, upcastSubscriptionEvent } from '@ledger/domain';
import { Projection, ReadModelTable, isSubscriptionEvent, subscriptionIdOf } from '../projection';
import { ColumnSpec, selectRows, upsertRows } from '../database/row-sql';

/** The renewal row as stored (column names). */
interface Row {
  renewal_id: string;
  subscription_id: string;
  plan_id: string;
  status: 'pending' | 'completed' | 'failed';
  reason: string | null;
  price_minor: number;
  currency: string;
  payment_method: string;
  new_expiry: string | Date | null;
  last_revision: number;
  last_position: string | number;
}

const COLUMNS: readonly ColumnSpec[] = [
  { name: 'renewal_id', type: 'text' },
  { name: 'subscription_id', type: 'text' },
  { name: 'plan_id', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'reason', type: 'text' },
  { name: 'price_minor', type: 'integer' },
  { name: 'currency', type: 'text' },
  { name: 'payment_method', type: 'text' },
  { name: 'new_expiry', type: 'timestamptz' },
  { name: 'last_revision', type: 'integer' },
  { name: 'last_position', type: 'bigint' },
];

type Fields = Omit<Row, 'last_revision' | 'last_position'>;

const renewalIdOf = (e: RecordedEvent): string | null => {
  const data = e.data as { renewalId?: unknown } | null;
  return typeof data?.renewalId === 'string' ? data.renewalId : null;
};

const reduce = (row: Fields | undefined, e: SubscriptionEvent, subscriptionId: string): Fields | undefined => {
  switch (e.type) {
    case 'PlanSelected': {
      if (row) return row;
      const d = e.data;
      return {
        renewal_id: d.renewalId,
        subscription_id: subscriptionId,
        plan_id: d.planId,
        status: 'pending',
        reason: null,
        price_minor: d.price.amountMinor,
        currency: d.price.currency,
        payment_method: d.paymentMethod,
        new_expiry: null,
      };
    }
    case 'PaymentFailed':
      return row && { ...row, status: 'failed', reason: e.data.reason };
    case 'ValidityExtended':
      return row && { ...row, status: 'completed', new_expiry: e.data.newExpiry };
    default:
      return row;
  }
};

/** Status of each renewal. `suffix` is empty for the live table, `__rebuild` for a rebuild's shadow. */
export class RenewalProjection implements Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];

  constructor(suffix = '') {
    this.name = `renewal${suffix}`;
    this.tables = [{ name: `renewal${suffix}`, primaryKey: 'renewal_id' }];
  }

  async applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<number> {
    const relevant = events.filter((e) => isSubscriptionEvent(e) && renewalIdOf(e) !== null);
    if (relevant.length === 0) return 0;
    const table = this.tables[0].name;
    const ids = [...new Set(relevant.map((e) => renewalIdOf(e)!))];
    const rows = new Map((await selectRows<Row>(em, table, 'renewal_id', ids)).map((r) => [r.renewal_id, r]));
    const touched = new Set<string>();
    for (const e of relevant) {
      const id = renewalIdOf(e)!;
      const current = rows.get(id);
      if (current && e.revision <= current.last_revision) continue;
      const next = reduce(current, upcastSubscriptionEvent(e), subscriptionIdOf(e));
      if (!next) continue;
      rows.set(id, { ...next, last_revision: e.revision, last_position: e.position.toString() });
      touched.add(id);
    }
    return upsertRows(
      em,
      table,
      'renewal_id',
      COLUMNS,
      [...touched].map((id) => rows.get(id)!),
    );
  }
}
