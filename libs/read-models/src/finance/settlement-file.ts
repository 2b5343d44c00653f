import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { parse as parseStream } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
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

/** Maps one record of a settlement file to its line, or null for a row that is not a payment's money. */
export type SettlementRowMapper = (record: string[], line: number) => SettlementLine | null;

/**
 * The provider's daily settlement report, in one of two formats told apart by their header:
 *
 * - the sandbox's: one row per charge, refund and lost chargeback, amounts in minor units;
 * - a Stripe-style itemized payout reconciliation report, mapped column by column (docs/finance.md):
 *   `payment_metadata[reference]` is our reference, `reporting_category` charge / refund / dispute
 *   the kind (other categories are counted as ignored), `gross`, `fee`, `net` are decimal major units
 *   in the lower-case `currency`, `automatic_payout_id` the payout, `created_utc` the time.
 *
 * A row that cannot be read refuses the whole file rather than matching part of it.
 */
export const settlementFormat = (header: string[]): { format: SettlementFile['format']; map: SettlementRowMapper } =>
  header.includes('reporting_category')
    ? { format: 'stripe-itemized', map: stripeItemized(header) }
    : { format: 'sandbox', map: sandbox(header) };

const CSV_OPTIONS = { relax_column_count: false, skip_empty_lines: true, bom: true } as const;

/** A whole file in memory (tests, small files); `readSettlement` streams a big one. */
export const parseSettlement = (text: string): SettlementFile => {
  let records: string[][];
  try {
    records = parseSync(text, CSV_OPTIONS);
  } catch (err) {
    throw new SettlementFileError(`the settlement file is not CSV: ${(err as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new SettlementFileError('the settlement file is empty (no header row)');
  const { format, map } = settlementFormat(header);
  const lines: SettlementLine[] = [];
  let ignored = 0;
  rows.forEach((r, i) => {
    const line = map(r, i + 2);
    if (line) lines.push(line);
    else ignored++;
  });
  return { format, lines, ignored };
};

export interface SettlementStream {
  readonly lines: AsyncIterable<SettlementLine>;
  /** Known once `lines` is consumed to the end: the format, the rows ignored, the bytes' SHA-256. */
  summary(): { format: SettlementFile['format']; ignored: number; sha256: string; bytes: number };
}

/**
 * Streams a settlement file line by line, hashing its bytes as they pass: memory stays flat however
 * large the file. `onBytes` reports progress (bytes read so far).
 */
export const readSettlement = (
  source: Iterable<Buffer> | AsyncIterable<Buffer | string>,
  onBytes?: (bytes: number) => void,
): SettlementStream => {
  const hash = createHash('sha256');
  let bytes = 0;
  let format: SettlementFile['format'] | null = null;
  let ignored = 0;
  let done = false;
  async function* hashed(): AsyncIterable<Buffer> {
    for await (const chunk of source) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(b);
      bytes += b.length;
      onBytes?.(bytes);
      yield b;
    }
  }
  async function* lines(): AsyncIterable<SettlementLine> {
    const parser = parseStream(CSV_OPTIONS);
    const input = Readable.from(hashed());
    // pipe() does not carry the source's errors (a directory, no permission, a failing disk) to the parser.
    input.on('error', (err) => parser.destroy(err));
    input.pipe(parser);
    let map: SettlementRowMapper | null = null;
    let n = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        n++;
        if (!map) {
          ({ format, map } = settlementFormat(record));
          continue;
        }
        const line = map(record, n);
        if (line) yield line;
        else ignored++;
      }
    } catch (err) {
      if (err instanceof SettlementFileError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code && /^E[A-Z]+$/.test(code) && !code.startsWith('CSV_'))
        throw new SettlementFileError(`the settlement file cannot be read: ${(err as Error).message}`);
      throw new SettlementFileError(`the settlement file is not CSV: ${(err as Error).message}`);
    } finally {
      input.destroy();
    }
    if (!map) throw new SettlementFileError('the settlement file is empty (no header row)');
    done = true;
  }
  return {
    lines: lines(),
    summary: () => {
      if (!done || !format) throw new Error('the settlement file has not been read to its end');
      return { format, ignored, sha256: hash.digest('hex'), bytes };
    },
  };
};

const reader = (header: string[], required: readonly string[], format: string) => {
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new SettlementFileError(`the ${format} header lacks ${missing.join(', ')}`);
  const at = new Map(header.map((name, i) => [name, i]));
  return (r: string[], name: string): string => r[at.get(name)!];
};

const checked = (line: number, currency: string, when: string, reference: string): string => {
  if (!/^[A-Z]{3}$/.test(currency)) throw new SettlementFileError(`line ${line}, currency: "${currency}" is not an ISO 4217 code`);
  if (Number.isNaN(Date.parse(when))) throw new SettlementFileError(`line ${line}: "${when}" is not a time`);
  if (!reference) throw new SettlementFileError(`line ${line}: no reference`);
  return new Date(when).toISOString();
};

const sandbox = (header: string[]): SettlementRowMapper => {
  const get = reader(header, COLUMNS, 'sandbox');
  return (r, line) => {
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
  };
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

const stripeItemized = (header: string[]): SettlementRowMapper => {
  const get = reader(header, STRIPE_COLUMNS, 'Stripe itemized payout');
  return (r, line) => {
    const kind = STRIPE_KINDS[get(r, 'reporting_category')];
    if (!kind) return null;
    const currency = get(r, 'currency').toUpperCase();
    const exponent = EXPONENT[currency] ?? 2;
    const reference = get(r, 'payment_metadata[reference]');
    const at = checked(line, currency, `${get(r, 'created_utc').replace(' ', 'T')}Z`.replace('ZZ', 'Z'), reference);
    const amount = (name: string) => minorUnits(line, name, get(r, name), exponent);
    return {
      line,
      payoutId: get(r, 'automatic_payout_id'),
      reference,
      kind,
      currency,
      grossMinor: amount('gross'),
      feeMinor: amount('fee'),
      netMinor: amount('net'),
      at,
    };
  };
};
