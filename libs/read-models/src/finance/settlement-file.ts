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

/**
 * The provider's daily settlement report (the sandbox's format: one row per charge, refund and lost
 * chargeback, amounts in minor units, RFC 4180). Refuses a file it cannot read entirely rather than
 * matching part of it.
 */
export const parseSettlement = (text: string): SettlementLine[] => {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true, bom: true });
  } catch (err) {
    throw new SettlementFileError(`the settlement file is not CSV: ${(err as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new SettlementFileError('the settlement file is empty (no header row)');
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new SettlementFileError(`the header lacks ${missing.join(', ')}`);
  const at = (name: string) => header.indexOf(name);
  return rows.map((r, i) => {
    const line = i + 2;
    const get = (name: string) => r[at(name)];
    const int = (name: string): number => {
      const v = get(name);
      if (!/^-?\d{1,15}$/.test(v)) throw new SettlementFileError(`line ${line}, ${name}: "${v}" is not a whole number of minor units`);
      return Number(v);
    };
    const kind = get('type') as MovementKind;
    if (!KINDS.includes(kind)) throw new SettlementFileError(`line ${line}, type: "${get('type')}" is not charge, refund or chargeback`);
    const currency = get('currency');
    if (!/^[A-Z]{3}$/.test(currency)) throw new SettlementFileError(`line ${line}, currency: "${currency}" is not an ISO 4217 code`);
    const when = get('occurred_at');
    if (Number.isNaN(Date.parse(when))) throw new SettlementFileError(`line ${line}, occurred_at: "${when}" is not a time`);
    if (!get('reference')) throw new SettlementFileError(`line ${line}, reference: empty`);
    return {
      line,
      payoutId: get('payout_id'),
      reference: get('reference'),
      kind,
      currency,
      grossMinor: int('gross_minor'),
      feeMinor: int('fee_minor'),
      netMinor: int('net_minor'),
      at: new Date(when).toISOString(),
    };
  });
};
