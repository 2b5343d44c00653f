import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent } from '@ledger/domain';
import { Projection, ReadModelTable, isSubscriptionEvent, subscriptionIdOf } from '../projection';
import { ColumnSpec } from '../database/row-sql';
import { applyKeyedRows } from '../keyed-rows';

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

const reduce = (row: Fields | undefined, e: SubscriptionEvent, recorded: RecordedEvent): Fields | undefined => {
  switch (e.type) {
    case 'PlanSelected': {
      if (row) return row;
      const d = e.data;
      return {
        renewal_id: d.renewalId,
        subscription_id: subscriptionIdOf(recorded),
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

  applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<number> {
    const keyOf = (e: RecordedEvent) => (isSubscriptionEvent(e) ? renewalIdOf(e) : null);
    return applyKeyedRows<Fields>({ table: this.tables[0].name, key: 'renewal_id', columns: COLUMNS, keyOf, reduce }, events, em);
  }
}
