import { parse } from 'csv-parse/sync';
import { MovementKind, SettlementLine } from '@ledger/domain';

/** A settlement file finance cannot read: which line and column, and why. */
export class SettlementFileError extends Error {
  override readonly name = 'SettlementFileError';
}

const COLUMNS = [
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
];
const KINDS: readonly MovementKind[] = ['charge', 'refund', 'chargeback'];

export interface SettlementFile {
  readonly format: 'sandbox' | 'stripe-itemized';
  readonly lines: SettlementLine[];
  /** Rows of categories that are not a payment's money (payouts, fees billed apart, adjustments). */
  readonly ignored: number;
}

/**
 * The provider's daily settlement report, in one of two formats told apart by their header:
 *
 * - the sandbox's: one row per charge, refund and lost chargeback, amounts in minor units;
 * - a Stripe-style itemized payout reconciliation report, mapped column by column (docs/finance.md):
 *   `payment_metadata[reference]` is our reference, `reporting_category` charge / refund / dispute
 *   the kind (other categories are counted as ignored), `gross`, `fee`, `net` are decimal major units
 *   in the lower-case `currency`, `automatic_payout_id` the payout, `created_utc` the time.
 *
 * Refuses a file it cannot read entirely rather than matching part of it.
 */
export const parseSettlement = (text: string): SettlementFile => {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true, bom: true });
  } catch (err) {
    throw new SettlementFileError(`the settlement file is not CSV: ${(err as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new SettlementFileError('the settlement file is empty (no header row)');
  return header.includes('reporting_category') ? stripeItemized(header, rows) : sandbox(header, rows);
};

const reader = (header: string[], required: readonly string[], format: string) => {
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new SettlementFileError(`the ${format} header lacks ${missing.join(', ')}`);
  return (r: string[], name: string) => r[header.indexOf(name)];
};

const checked = (line: number, currency: string, when: string, reference: string): string => {
  if (!/^[A-Z]{3}$/.test(currency)) throw new SettlementFileError(`line ${line}, currency: "${currency}" is not an ISO 4217 code`);
  if (Number.isNaN(Date.parse(when))) throw new SettlementFileError(`line ${line}: "${when}" is not a time`);
  if (!reference) throw new SettlementFileError(`line ${line}: no reference`);
  return new Date(when).toISOString();
};

const sandbox = (header: string[], rows: string[][]): SettlementFile => {
  const get = reader(header, COLUMNS, 'sandbox');
  const lines = rows.map((r, i): SettlementLine => {
    const line = i + 2;
    const int = (name: string): number => {
      const v = get(r, name);
      if (!/^-?\d{1,15}$/.test(v)) throw new SettlementFileError(`line ${line}, ${name}: "${v}" is not a whole number of minor units`);
      return Number(v);
    };
    const kind = get(r, 'type') as MovementKind;
    if (!KINDS.includes(kind)) throw new SettlementFileError(`line ${line}, type: "${get(r, 'type')}" is not charge, refund or chargeback`);
    const currency = get(r, 'currency');
    const at = checked(line, currency, get(r, 'occurred_at'), get(r, 'reference'));
    const amounts = { grossMinor: int('gross_minor'), feeMinor: int('fee_minor'), netMinor: int('net_minor') };
    return { line, payoutId: get(r, 'payout_id'), reference: get(r, 'reference'), kind, currency, ...amounts, at };
  });
  return { format: 'sandbox', lines, ignored: 0 };
};

const STRIPE_COLUMNS = [
  'automatic_payout_id',
  'created_utc',
  'currency',
  'gross',
  'fee',
  'net',
  'reporting_category',
  'payment_metadata[reference]',
];
const STRIPE_KINDS: Readonly<Record<string, MovementKind>> = { charge: 'charge', refund: 'refund', dispute: 'chargeback' };
/** ISO 4217 minor-unit exponents that are not 2. */
const EXPONENT: Readonly<Record<string, number>> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  HUF: 2,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
};

/** "12.34" in a currency with `exponent` decimals → 1234, exactly (no floating point). */
const minorUnits = (line: number, name: string, value: string, exponent: number): number => {
  const m = /^(-?)(\d{1,13})(?:\.(\d+))?$/.exec(value);
  if (!m || (m[3] ?? '').length > exponent)
    throw new SettlementFileError(`line ${line}, ${name}: "${value}" is not an amount with at most ${exponent} decimals`);
  const minor = Number(m[2]) * 10 ** exponent + Number((m[3] ?? '').padEnd(exponent, '0') || '0');
  return m[1] ? -minor : minor;
};

const stripeItemized = (header: string[], rows: string[][]): SettlementFile => {
  const get = reader(header, STRIPE_COLUMNS, 'Stripe itemized payout');
  let ignored = 0;
  const lines: SettlementLine[] = [];
  rows.forEach((r, i) => {
    const line = i + 2;
    const kind = STRIPE_KINDS[get(r, 'reporting_category')];
    if (!kind) return void ignored++;
    const currency = get(r, 'currency').toUpperCase();
    const exponent = EXPONENT[currency] ?? 2;
    const reference = get(r, 'payment_metadata[reference]');
    const at = checked(line, currency, `${get(r, 'created_utc').replace(' ', 'T')}Z`.replace('ZZ', 'Z'), reference);
    const amount = (name: string) => minorUnits(line, name, get(r, name), exponent);
    lines.push({
      line,
      payoutId: get(r, 'automatic_payout_id'),
      reference,
      kind,
      currency,
      grossMinor: amount('gross'),
      feeMinor: amount('fee'),
      netMinor: amount('net'),
      at,
    });
  });
  return { format: 'stripe-itemized', lines, ignored };
};
