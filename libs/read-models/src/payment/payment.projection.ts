import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { paymentIdOf } from '@ledger/payments';
import { SubscriptionEvent } from '@ledger/domain';
import { Projection, ReadModelTable, isSubscriptionEvent, subscriptionIdOf } from '../projection';
import { ColumnSpec } from '../database/row-sql';
import { applyKeyedRows } from '../keyed-rows';

export type PaymentStatus = 'pending' | 'action_required' | 'captured' | 'failed' | 'abandoned' | 'refunded' | 'partially_refunded';

/** The payment row as stored (column names): one per renewal's payment attempt, for finance. */
interface Row {
  payment_id: string;
  renewal_id: string;
  subscription_id: string;
  plan_id: string;
  method: string;
  currency: string;
  list_minor: number;
  days: number;
  data_mb: number;
  period_end: string | Date | null;
  forfeited_mb: number;
  discounts: { kind: string; promotionId: string; amountMinor: number }[];
  amount_minor: number;
  status: PaymentStatus;
  provider_reference: string | null;
  fee_minor: number | null;
  selected_at: string | Date;
  captured_at: string | Date | null;
  refunded_minor: number;
  refunds: number;
  chargebacks_lost: number;
  chargeback: 'open' | 'won' | 'lost' | null;
  chargeback_lost_minor: number;
  entitlement_granted: boolean;
  revocations: number;
  history: { at: string; status: string; detail?: string }[];
  last_revision: number;
  last_position: string | number;
}

const COLUMNS: readonly ColumnSpec[] = [
  { name: 'payment_id', type: 'text' },
  { name: 'renewal_id', type: 'text' },
  { name: 'subscription_id', type: 'text' },
  { name: 'plan_id', type: 'text' },
  { name: 'method', type: 'text' },
  { name: 'currency', type: 'text' },
  { name: 'list_minor', type: 'integer' },
  { name: 'days', type: 'integer' },
  { name: 'data_mb', type: 'integer' },
  { name: 'period_end', type: 'timestamptz' },
  { name: 'forfeited_mb', type: 'integer' },
  { name: 'discounts', type: 'jsonb' },
  { name: 'amount_minor', type: 'integer' },
  { name: 'status', type: 'text' },
  { name: 'provider_reference', type: 'text' },
  { name: 'fee_minor', type: 'integer' },
  { name: 'selected_at', type: 'timestamptz' },
  { name: 'captured_at', type: 'timestamptz' },
  { name: 'refunded_minor', type: 'integer' },
  { name: 'refunds', type: 'integer' },
  { name: 'chargebacks_lost', type: 'integer' },
  { name: 'chargeback', type: 'text' },
  { name: 'chargeback_lost_minor', type: 'integer' },
  { name: 'entitlement_granted', type: 'boolean' },
  { name: 'revocations', type: 'integer' },
  { name: 'history', type: 'jsonb' },
  { name: 'last_revision', type: 'integer' },
  { name: 'last_position', type: 'bigint' },
];

type Fields = Omit<Row, 'last_revision' | 'last_position'>;

/**
 * Every payment event names its renewal; the row is the renewal's one payment. A bucket's expiry
 * names its bucket, which the decider names after the renewal that granted it (`bucket-<renewalId>`).
 */
const keyOf = (e: RecordedEvent): string | null => {
  if (!isSubscriptionEvent(e)) return null;
  const d = e.data as { renewalId?: unknown; bucketId?: unknown } | null;
  if (e.type === 'DataExpired')
    return typeof d?.bucketId === 'string' && d.bucketId.startsWith('bucket-') ? paymentIdOf(d.bucketId.slice(7)) : null;
  return typeof d?.renewalId === 'string' ? paymentIdOf(d.renewalId) : null;
};

const moved = (row: Fields, at: string, status: string, detail?: string): Fields['history'] => [
  ...row.history,
  { at, status, ...(detail ? { detail } : {}) },
];

const reduce = (row: Fields | undefined, e: SubscriptionEvent, recorded: RecordedEvent): Fields | undefined => {
  if (e.type === 'PlanSelected') {
    if (row) return row;
    const d = e.data;
    return {
      payment_id: paymentIdOf(d.renewalId),
      renewal_id: d.renewalId,
      subscription_id: subscriptionIdOf(recorded),
      plan_id: d.planId,
      method: d.paymentMethod,
      currency: d.price.currency,
      list_minor: d.listPrice.amountMinor,
      days: d.days,
      data_mb: d.dataMb,
      period_end: null,
      forfeited_mb: 0,
      discounts: d.discounts.map((x) => ({ kind: x.kind, promotionId: x.promotionId, amountMinor: x.amount.amountMinor })),
      amount_minor: d.price.amountMinor,
      status: 'pending',
      provider_reference: null,
      fee_minor: null,
      selected_at: d.selectedAt,
      captured_at: null,
      refunded_minor: 0,
      refunds: 0,
      chargebacks_lost: 0,
      chargeback: null,
      chargeback_lost_minor: 0,
      entitlement_granted: false,
      revocations: 0,
      history: [{ at: d.selectedAt, status: 'pending' }],
    };
  }
  if (!row) return row;
  switch (e.type) {
    case 'PaymentActionRequired':
      return { ...row, status: 'action_required', history: moved(row, e.data.requiredAt, 'action_required', e.data.action) };
    case 'PaymentCaptured': {
      const d = e.data;
      return {
        ...row,
        status: 'captured',
        provider_reference: d.providerReference,
        fee_minor: d.fee?.amountMinor ?? null,
        captured_at: d.capturedAt,
        history: moved(row, d.capturedAt, 'captured', d.providerReference),
      };
    }
    case 'PaymentFailed':
      return { ...row, status: 'failed', history: moved(row, e.data.failedAt, 'failed', e.data.reason) };
    case 'RenewalAbandoned':
      return { ...row, status: 'abandoned', history: moved(row, e.data.abandonedAt, 'abandoned', e.data.reason) };
    case 'ValidityExtended':
      return { ...row, entitlement_granted: true, period_end: e.data.newExpiry };
    case 'DataExpired':
      return { ...row, forfeited_mb: row.forfeited_mb + e.data.mbForfeited };
    case 'PaymentRefunded': {
      const total = e.data.refundedTotal.amountMinor;
      const status = total >= row.amount_minor ? 'refunded' : 'partially_refunded';
      return {
        ...row,
        status,
        refunded_minor: total,
        refunds: row.refunds + 1,
        history: moved(row, e.data.refundedAt, status, String(e.data.amount.amountMinor)),
      };
    }
    case 'ChargebackOpened':
      return { ...row, chargeback: 'open', history: moved(row, e.data.openedAt, 'chargeback_open', e.data.disputeId) };
    case 'ChargebackResolved': {
      const lost = e.data.outcome === 'lost' ? e.data.amount.amountMinor : 0;
      const chargeback_lost_minor = Math.min(row.amount_minor - row.refunded_minor, row.chargeback_lost_minor + lost);
      return {
        ...row,
        chargeback: e.data.outcome,
        chargeback_lost_minor,
        chargebacks_lost: row.chargebacks_lost + (e.data.outcome === 'lost' ? 1 : 0),
        history: moved(row, e.data.resolvedAt, `chargeback_${e.data.outcome}`),
      };
    }
    case 'EntitlementRevoked':
      return { ...row, revocations: row.revocations + 1 };
    default:
      return row;
  }
};

/** Every payment attempt of a renewal, for finance: amount, discounts, fee, refunds, chargebacks, status history. */
export class PaymentProjection implements Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];

  constructor(suffix = '') {
    this.name = `payment${suffix}`;
    this.tables = [{ name: `payment${suffix}`, primaryKey: 'payment_id' }];
  }

  applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<number> {
    return applyKeyedRows<Fields>({ table: this.tables[0].name, key: 'payment_id', columns: COLUMNS, keyOf, reduce }, events, em);
  }
}
