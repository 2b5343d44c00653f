import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import {
  BREAK_COLUMNS,
  Break,
  breakRows,
  LedgerMovement,
  MatchResult,
  PaymentEntitlement,
  RevenuePayment,
  compareBreaks,
  SettlementLine,
  matchEntitlements,
  matchSettlement,
  revenueForDay,
} from '@ledger/domain';
import { canonicalJson } from '@ledger/event-store';
import { parseSettlement } from './settlement-file';

export interface ReconcileInput {
  /** The UTC day the settlement report covers, YYYY-MM-DD. */
  readonly day: string;
  readonly settlement: Buffer;
  /** Pending or timing break is judged at this instant; pass the same one to reproduce a run. */
  readonly asOf: string;
  readonly graceHours: number;
}

export interface ReconcileRun {
  readonly seq: number;
  readonly hash: string;
  readonly previousHash: string;
  /** Canonical JSON: the same inputs give these same bytes. */
  readonly report: string;
  readonly reportSha256: string;
  readonly breaks: readonly Break[];
  readonly result: MatchResult;
}

const GENESIS = '0'.repeat(64);
const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** SHA-256 of each list's items, one canonical JSON line each: the same as hashing one document, without building it. */
const digestOf = (lists: readonly (readonly unknown[])[]): string => {
  const hash = createHash('sha256');
  lists.forEach((list, i) => {
    hash.update(`#${i}\n`);
    for (const item of list) hash.update(`${canonicalJson(item)}\n`);
  });
  return hash.digest('hex');
};

type Totals = Record<string, { charges: number; fees: number; refunds: number; chargebacks: number; net: number; count: number }>;

const totals = (items: readonly { currency: string; kind: string; grossMinor: number; feeMinor: number | null }[]): Totals => {
  const out: Totals = {};
  for (const m of items) {
    const t = (out[m.currency] ??= { charges: 0, fees: 0, refunds: 0, chargebacks: 0, net: 0, count: 0 });
    t.count++;
    if (m.kind === 'charge') t.charges += m.grossMinor;
    if (m.kind === 'refund') t.refunds += m.grossMinor;
    if (m.kind === 'chargeback') t.chargebacks += m.grossMinor;
    t.fees += m.feeMinor ?? 0;
    t.net += m.grossMinor - (m.feeMinor ?? 0);
  }
  return out;
};

/** The ledger's movements of the day, in a stable order (their SHA-256 names the ledger input of a run). */
export const ledgerMovements = async (dataSource: DataSource, day: string): Promise<LedgerMovement[]> => {
  const rows: Record<string, any>[] = await dataSource.query(
    `SELECT reference, kind, currency, gross_minor, fee_minor, occurred_at FROM money_movement
     WHERE occurred_at >= $1::timestamptz AND occurred_at < $1::timestamptz + interval '1 day' ORDER BY movement_id`,
    [`${day}T00:00:00.000Z`],
  );
  return rows.map((r) => ({
    reference: r.reference,
    kind: r.kind,
    currency: r.currency,
    grossMinor: r.gross_minor,
    feeMinor: r.fee_minor,
    at: new Date(r.occurred_at).toISOString(),
  }));
};

/** The day's payments (captured that day, or extended that day without a capture) for entitlement to cash. */
export const paymentEntitlements = async (dataSource: DataSource, day: string): Promise<PaymentEntitlement[]> => {
  const rows: Record<string, any>[] = await dataSource.query(
    `SELECT payment_id, captured_at, entitlement_granted, refunds, chargebacks_lost, revocations FROM payment
     WHERE (captured_at >= $1::timestamptz AND captured_at < $1::timestamptz + interval '1 day')
        OR (captured_at IS NULL AND entitlement_granted AND selected_at >= $1::timestamptz AND selected_at < $1::timestamptz + interval '1 day')
     ORDER BY payment_id`,
    [`${day}T00:00:00.000Z`],
  );
  return rows.map((r) => ({
    reference: r.payment_id,
    captured: r.captured_at !== null,
    granted: r.entitlement_granted,
    refunds: r.refunds,
    chargebacksLost: r.chargebacks_lost,
    revocations: r.revocations,
  }));
};

/**
 * The payments whose revenue moves on the day: captured by its end and still in service, captured
 * that day, or with money going back that day; each with its money back over its whole life.
 */
export const revenuePayments = async (dataSource: DataSource, day: string): Promise<RevenuePayment[]> => {
  const d0 = `${day}T00:00:00.000Z`;
  const rows: Record<string, any>[] = await dataSource.query(
    `SELECT p.*, c.region FROM payment p LEFT JOIN card_balance c ON c.subscription_id = p.subscription_id
     WHERE p.captured_at < $1::timestamptz + interval '1 day' AND p.period_end IS NOT NULL
       AND (p.period_end >= $1::timestamptz OR p.captured_at >= $1::timestamptz OR p.payment_id IN (
         SELECT reference FROM money_movement WHERE kind <> 'charge' AND occurred_at >= $1::timestamptz AND occurred_at < $1::timestamptz + interval '1 day'))
     ORDER BY p.payment_id`,
    [d0],
  );
  const backs: Record<string, any>[] = rows.length
    ? await dataSource.query(
        `SELECT reference, gross_minor, occurred_at FROM money_movement WHERE kind <> 'charge' AND reference = ANY($1::text[]) ORDER BY occurred_at, movement_id`,
        [rows.map((r) => r.payment_id)],
      )
    : [];
  const backOf = new Map<string, { at: string; amountMinor: number }[]>();
  for (const b of backs)
    backOf.set(b.reference, [
      ...(backOf.get(b.reference) ?? []),
      { at: new Date(b.occurred_at).toISOString(), amountMinor: -b.gross_minor },
    ]);
  return rows.map((r) => {
    const end = new Date(r.period_end).getTime();
    const discounts = r.discounts as { promotionId: string; amountMinor: number }[];
    return {
      paymentId: r.payment_id,
      group: {
        currency: r.currency,
        method: r.method,
        region: r.region ?? 'unknown',
        planId: r.plan_id,
        promotion: discounts.map((d) => d.promotionId).join('+') || 'none',
      },
      listMinor: r.list_minor,
      discountsMinor: discounts.reduce((s, d) => s + d.amountMinor, 0),
      priceMinor: r.amount_minor,
      feeMinor: r.fee_minor ?? 0,
      capturedAt: new Date(r.captured_at).toISOString(),
      periodStart: new Date(end - r.days * 86_400_000).toISOString(),
      periodEnd: new Date(end).toISOString(),
      dataMb: r.data_mb,
      forfeitedMb: r.forfeited_mb,
      back: backOf.get(r.payment_id) ?? [],
    };
  });
};

/**
 * One reconciliation run: the day's ledger movements against the provider's settlement file, its
 * report stored and chained by hash to the run before (any day). Runs are never rewritten; a re-run
 * on the same inputs appends a run with the same report bytes.
 */
export const reconcileDay = async (dataSource: DataSource, input: ReconcileInput): Promise<ReconcileRun> => {
  const file = parseSettlement(input.settlement.toString('utf8'));
  const lines: SettlementLine[] = file.lines;
  const ledger = await ledgerMovements(dataSource, input.day);
  const settled = matchSettlement(ledger, lines, { now: input.asOf, graceHours: input.graceHours });
  const entitlements = await paymentEntitlements(dataSource, input.day);
  const revenueInput = await revenuePayments(dataSource, input.day);
  const result: MatchResult = { ...settled, breaks: [...settled.breaks, ...matchEntitlements(entitlements)].sort(compareBreaks) };
  const report = canonicalJson({
    day: input.day,
    asOf: input.asOf,
    graceHours: input.graceHours,
    inputs: {
      settlementSha256: sha256(input.settlement),
      ledgerSha256: digestOf([ledger, entitlements, revenueInput]),
    },
    payments: entitlements.length,
    matched: result.matched,
    pending: result.pending,
    breaks: result.breaks,
    totals: { ledger: totals(ledger), provider: totals(lines) },
    revenue: revenueForDay(revenueInput, input.day),
  });
  const reportSha256 = sha256(report);
  return dataSource.transaction(async (em) => {
    // One chain: a run waits for the one before it to be stored.
    await em.query('LOCK TABLE reconciliation_run IN EXCLUSIVE MODE');
    const [last] = await em.query('SELECT hash FROM reconciliation_run ORDER BY seq DESC LIMIT 1');
    const previousHash: string = last?.hash ?? GENESIS;
    const inputs = JSON.parse(report).inputs as { settlementSha256: string; ledgerSha256: string };
    const hash = sha256([previousHash, input.day, inputs.settlementSha256, inputs.ledgerSha256, reportSha256].join('\n'));
    const [row] = await em.query(
      `INSERT INTO reconciliation_run (day, settlement_sha256, ledger_sha256, report_sha256, breaks, previous_hash, hash, report)
       VALUES ($1::date, $2, $3, $4, $5, $6, $7, $8) RETURNING seq`,
      [input.day, inputs.settlementSha256, inputs.ledgerSha256, reportSha256, result.breaks.length, previousHash, hash, report],
    );
    return { seq: Number(row.seq), hash, previousHash, report, reportSha256, breaks: result.breaks, result };
  });
};

/** Recomputes every run's hash from its stored fields and its predecessor: the first that does not hold, or null. */
export const verifyRunChain = async (dataSource: DataSource): Promise<{ seq: number; reason: string } | null> => {
  const runs: Record<string, any>[] = await dataSource.query(
    "SELECT seq, to_char(day, 'YYYY-MM-DD') AS day, settlement_sha256, ledger_sha256, report_sha256, previous_hash, hash, report FROM reconciliation_run ORDER BY seq",
  );
  let previous = GENESIS;
  for (const r of runs) {
    if (sha256(r.report) !== r.report_sha256) return { seq: Number(r.seq), reason: 'the stored report does not match its hash' };
    if (r.previous_hash !== previous) return { seq: Number(r.seq), reason: 'the chain to the previous run is broken' };
    const hash = sha256([previous, r.day, r.settlement_sha256, r.ledger_sha256, r.report_sha256].join('\n'));
    if (hash !== r.hash) return { seq: Number(r.seq), reason: 'the run hash does not match its fields' };
    previous = r.hash;
  }
  return null;
};

/** A run's breaks as RFC 4180 CSV (CRLF, a header row): the CLI's and the finance endpoint's export. */
export const breaksCsv = (breaks: readonly Break[]): string =>
  stringify(breakRows(breaks), { header: true, columns: [...BREAK_COLUMNS], record_delimiter: 'windows' });
