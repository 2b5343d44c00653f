import { percentOf } from '@ledger/domain';
import { PaymentMethodType } from '@ledger/domain';
import { stringify } from 'csv-stringify/sync';
import { PaymentRecord } from './model';

export const SETTLEMENT_COLUMNS = [
  'payout_id',
  'provider_payment_id',
  'reference',
  'type',
  'method',
  'currency',
  'gross_minor',
  'fee_minor',
  'net_minor',
  'occurred_at',
] as const;

/** Basis points plus a fixed part, as card schemes and PayPal price a charge. */
const FEES: Record<PaymentMethodType, { bp: number; fixed: number }> = {
  card: { bp: 140, fixed: 25 },
  apple_pay: { bp: 140, fixed: 25 },
  paypal: { bp: 290, fixed: 35 },
};

/** What the provider keeps of a capture: booked on the payment when it is captured, and settled with it. */
export const chargeFee = (method: PaymentMethodType, amount: { amountMinor: number; currency: string }): number =>
  percentOf(amount, FEES[method].bp).amountMinor + FEES[method].fixed;

interface Line {
  readonly sortId: string;
  readonly row: Record<(typeof SETTLEMENT_COLUMNS)[number], string | number>;
}

/** One UTC day's movements, as a provider's payout report has them: charges, refunds and lost chargebacks. */
export const settlementCsv = (date: string, records: readonly PaymentRecord[]): string => {
  const lines: Line[] = [];
  const add = (p: PaymentRecord['payment'], sortId: string, type: string, gross: number, fee: number, at: string): void => {
    if (at.slice(0, 10) !== date) return;
    const currency = p.amount.currency;
    lines.push({
      sortId,
      row: {
        payout_id: `po_${date}_${currency}`,
        provider_payment_id: p.id,
        reference: p.reference,
        type,
        method: p.method,
        currency,
        gross_minor: gross,
        fee_minor: fee,
        net_minor: gross - fee,
        occurred_at: at,
      },
    });
  };
  for (const { payment: p } of records) {
    if (p.capturedAt !== undefined) {
      // Journals from before fees were booked on the payment: the same tariff.
      add(p, p.id, 'charge', p.amount.amountMinor, p.feeMinor ?? chargeFee(p.method, p.amount), p.capturedAt);
    }
    for (const r of p.refunds) add(p, r.id, 'refund', -r.amountMinor, 0, r.createdAt);
    for (const d of p.disputes) if (d.status === 'lost' && d.resolvedAt) add(p, d.id, 'chargeback', -d.amountMinor, 0, d.resolvedAt);
  }
  lines.sort((a, b) => cmp(String(a.row.occurred_at), String(b.row.occurred_at)) || cmp(a.sortId, b.sortId));
  return stringify(
    lines.map((l) => l.row),
    { header: true, columns: [...SETTLEMENT_COLUMNS], record_delimiter: 'windows' },
  );
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A real calendar day: 2025-02-30 is refused rather than rolled over. */
export const isSettlementDate = (date: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(date) &&
  !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) &&
  new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;
