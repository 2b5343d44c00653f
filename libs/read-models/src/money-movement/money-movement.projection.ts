import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent } from '@ledger/domain';
import { Projection, ReadModelTable, isSubscriptionEvent } from '../projection';
import { ColumnSpec } from '../database/row-sql';
import { applyKeyedRows } from '../keyed-rows';

/** One movement of money as the ledger booked it: what finance matches against the provider's settlement. */
interface Row {
  movement_id: string;
  reference: string;
  kind: 'charge' | 'refund' | 'chargeback';
  subscription_id: string;
  renewal_id: string;
  currency: string;
  gross_minor: number;
  fee_minor: number | null;
  occurred_at: string | Date;
  last_revision: number;
  last_position: string | number;
}

const COLUMNS: readonly ColumnSpec[] = [
  { name: 'movement_id', type: 'text' },
  { name: 'reference', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'subscription_id', type: 'text' },
  { name: 'renewal_id', type: 'text' },
  { name: 'currency', type: 'text' },
  { name: 'gross_minor', type: 'integer' },
  { name: 'fee_minor', type: 'integer' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'last_revision', type: 'integer' },
  { name: 'last_position', type: 'bigint' },
];

type Fields = Omit<Row, 'last_revision' | 'last_position'>;

/** A charge is keyed by its payment, a refund by its refund id, a chargeback by its dispute. */
const keyOf = (e: RecordedEvent): string | null => {
  if (!isSubscriptionEvent(e)) return null;
  const d = e.data as Record<string, unknown>;
  if (e.type === 'PaymentCaptured') return `charge:${String(d.paymentId)}`;
  if (e.type === 'PaymentRefunded') return `refund:${String(d.refundId)}`;
  if (e.type === 'ChargebackResolved' && d.outcome === 'lost') return `chargeback:${String(d.disputeId)}`;
  return null;
};

const reduce = (row: Fields | undefined, e: SubscriptionEvent, recorded: RecordedEvent): Fields | undefined => {
  if (row) return row;
  const subscription_id = recorded.streamId.slice('subscription-'.length);
  switch (e.type) {
    case 'PaymentCaptured': {
      const d = e.data;
      return {
        movement_id: `charge:${d.paymentId}`,
        reference: d.paymentId,
        kind: 'charge',
        subscription_id,
        renewal_id: d.renewalId,
        currency: d.amount.currency,
        gross_minor: d.amount.amountMinor,
        fee_minor: d.fee?.amountMinor ?? null,
        occurred_at: d.capturedAt,
      };
    }
    case 'PaymentRefunded': {
      const d = e.data;
      const base = { reference: d.paymentId, subscription_id, renewal_id: d.renewalId, currency: d.amount.currency };
      return {
        ...base,
        movement_id: `refund:${d.refundId}`,
        kind: 'refund',
        gross_minor: -d.amount.amountMinor,
        fee_minor: 0,
        occurred_at: d.refundedAt,
      };
    }
    case 'ChargebackResolved': {
      const d = e.data;
      const base = { reference: d.paymentId, subscription_id, renewal_id: d.renewalId, currency: d.amount.currency };
      return {
        ...base,
        movement_id: `chargeback:${d.disputeId}`,
        kind: 'chargeback',
        gross_minor: -d.amount.amountMinor,
        fee_minor: 0,
        occurred_at: d.resolvedAt,
      };
    }
    default:
      return row;
  }
};

/** The ledger's money movements, one row each, indexed by day: the ledger side of settlement matching. */
export class MoneyMovementProjection implements Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];

  constructor(suffix = '') {
    this.name = `money_movement${suffix}`;
    this.tables = [{ name: `money_movement${suffix}`, primaryKey: 'movement_id' }];
  }

  applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<number> {
    return applyKeyedRows<Fields>({ table: this.tables[0].name, key: 'movement_id', columns: COLUMNS, keyOf, reduce }, events, em);
  }
}
