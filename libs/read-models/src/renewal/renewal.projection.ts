import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent } from '@ledger/domain';
import { Projection, ReadModelTable, isSubscriptionEvent, subscriptionIdOf } from '../projection';
import { ColumnSpec } from '../database/row-sql';
import { applyKeyedRows } from '../keyed-rows';

/** One step of a renewal's payment, as the card recorded it: the payment's history. */
export interface HistoryEntry {
  at: string;
  event: string;
  detail?: string;
}

/** The renewal row as stored (column names). */
interface Row {
  renewal_id: string;
  subscription_id: string;
  plan_id: string;
  status: 'pending' | 'completed' | 'failed' | 'abandoned';
  reason: string | null;
  price_minor: number;
  currency: string;
  payment_method: string;
  new_expiry: string | Date | null;
  refunded_minor: number;
  revoked_mb: number;
  chargeback: 'open' | 'won' | 'lost' | null;
  next_action: { type: string; url: string } | null;
  history: HistoryEntry[];
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
  { name: 'refunded_minor', type: 'integer' },
  { name: 'revoked_mb', type: 'integer' },
  { name: 'chargeback', type: 'text' },
  { name: 'next_action', type: 'jsonb' },
  { name: 'history', type: 'jsonb' },
  { name: 'last_revision', type: 'integer' },
  { name: 'last_position', type: 'bigint' },
];

type Fields = Omit<Row, 'last_revision' | 'last_position'>;

const renewalIdOf = (e: RecordedEvent): string | null => {
  const data = e.data as { renewalId?: unknown } | null;
  return typeof data?.renewalId === 'string' ? data.renewalId : null;
};

const step = (row: Fields, at: string, event: string, detail?: string): HistoryEntry[] => [
  ...row.history,
  { at, event, ...(detail ? { detail } : {}) },
];

const reduce = (row: Fields | undefined, e: SubscriptionEvent, recorded: RecordedEvent): Fields | undefined => {
  if (e.type === 'PlanSelected') {
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
      refunded_minor: 0,
      revoked_mb: 0,
      chargeback: null,
      next_action: null,
      history: [{ at: d.selectedAt, event: 'PlanSelected', detail: `${d.price.amountMinor} ${d.price.currency} by ${d.paymentMethod}` }],
    };
  }
  if (!row) return row;
  switch (e.type) {
    case 'PaymentActionRequired':
      return {
        ...row,
        next_action: { type: e.data.action, url: e.data.url },
        history: step(row, e.data.requiredAt, e.type, e.data.action),
      };
    case 'PaymentFailed':
      return {
        ...row,
        status: 'failed',
        reason: e.data.reason,
        next_action: null,
        history: step(row, e.data.failedAt, e.type, e.data.reason),
      };
    case 'RenewalAbandoned':
      return {
        ...row,
        status: 'abandoned',
        reason: e.data.reason,
        next_action: null,
        history: step(row, e.data.abandonedAt, e.type, e.data.reason),
      };
    case 'PaymentCaptured':
      return { ...row, next_action: null, history: step(row, e.data.capturedAt, e.type, e.data.providerReference) };
    case 'ValidityExtended':
      return {
        ...row,
        status: 'completed',
        new_expiry: e.data.newExpiry,
        history: step(row, row.history.at(-1)?.at ?? '', e.type, e.data.newExpiry),
      };
    case 'PaymentRefunded':
      return {
        ...row,
        refunded_minor: e.data.refundedTotal.amountMinor,
        history: step(row, e.data.refundedAt, e.type, `${e.data.amount.amountMinor} ${e.data.amount.currency}`),
      };
    case 'ChargebackOpened':
      return { ...row, chargeback: 'open', history: step(row, e.data.openedAt, e.type, e.data.disputeId) };
    case 'ChargebackResolved':
      return { ...row, chargeback: e.data.outcome, history: step(row, e.data.resolvedAt, e.type, e.data.outcome) };
    case 'EntitlementRevoked':
      return {
        ...row,
        revoked_mb: row.revoked_mb + e.data.mbRevoked,
        history: step(row, e.data.revokedAt, e.type, `${e.data.mbRevoked} MB (${e.data.cause})`),
      };
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
