import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { DataSource, QueryRunner } from 'typeorm';
import {
  BREAK_COLUMNS,
  Break,
  breakRows,
  LedgerMovement,
  RevenueDay,
  compareBreaks,
  matchEntitlements,
  matchSettlement,
} from '@ledger/domain';
import { canonicalJson } from '@ledger/event-store';
import { paymentEntitlements, revenuePayments } from './day-inputs';
import { MoneyTotals, addToTotals } from './money-totals';
import { ReferenceGroup, RunMovement, referenceGroups } from './settlement-groups';
import { readSettlement } from './settlement-file';
import { stageSettlement } from './settlement-stage';
import { Batches } from './sql-cursor';

export interface ReconcileInput {
  /** The UTC day the settlement report covers, YYYY-MM-DD. */
  readonly day: string;
  /** The provider's file: whole, or streamed (a big day's file need not fit in memory). */
  readonly settlement: Buffer | AsyncIterable<Buffer>;
  /** Pending or timing break is judged at this instant; pass the same one to reproduce a run. */
  readonly asOf: string;
  readonly graceHours: number;
  /** Bytes of the file read, then settlement lines matched (of `total`). */
  readonly onProgress?: (p: { readonly phase: 'reading' | 'matching'; readonly done: number; readonly total: number }) => void;
}

export interface ReconcileRun {
  readonly seq: number;
  readonly hash: string;
  readonly previousHash: string;
  /** Canonical JSON: the same inputs give these same bytes. */
  readonly report: string;
  readonly reportSha256: string;
  readonly breaks: readonly Break[];
  readonly matched: number;
  readonly pending: number;
}

const GENESIS = '0'.repeat(64);
/**
 * One input row in the ledger digest. The rows are built here with their keys in one fixed order,
 * so plain JSON is stable (and several times cheaper than canonical JSON on a million rows).
 */
const line = (row: object): string => JSON.stringify(row);
const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** The money the ledger booked on the day, per currency (the report's ledger totals). */
const ledgerTotals = async (qr: QueryRunner, day: string): Promise<MoneyTotals> => {
  const rows: Record<string, any>[] = await qr.query(
    `SELECT currency, count(*) AS count,
       coalesce(sum(gross_minor) FILTER (WHERE kind = 'charge'), 0) AS charges,
       coalesce(sum(gross_minor) FILTER (WHERE kind = 'refund'), 0) AS refunds,
       coalesce(sum(gross_minor) FILTER (WHERE kind = 'chargeback'), 0) AS chargebacks,
       coalesce(sum(fee_minor), 0) AS fees, sum(gross_minor - coalesce(fee_minor, 0)) AS net
     FROM money_movement WHERE occurred_at >= $1::timestamptz AND occurred_at < $1::timestamptz + interval '1 day'
     GROUP BY currency ORDER BY currency`,
    [`${day}T00:00:00.000Z`],
  );
  const out: MoneyTotals = {};
  for (const r of rows)
    out[r.currency] = {
      charges: Number(r.charges),
      fees: Number(r.fees),
      refunds: Number(r.refunds),
      chargebacks: Number(r.chargebacks),
      net: Number(r.net),
      count: Number(r.count),
    };
  return out;
};

/** The day's movements in a stable order (what a test waits for before reconciling). */
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

/**
 * One reference's matching. The day's open movements (from the first reconciled day to this day's
 * end) are matched first; a line left over may settle an open movement outside that window (later
 * ones are candidates only, for the same money: unmatched, they are no business of this day). A line for money an
 * earlier day's file already settled (same kind, amount and currency) that no open movement
 * matches is a duplicate.
 */
const matchGroup = (g: ReferenceGroup, options: { now: string; graceHours: number }, window: { since: number; end: number }) => {
  const open = g.movements.filter((m) => m.settledOn === null);
  const inWindow = (m: RunMovement) => Date.parse(m.at) >= window.since && Date.parse(m.at) < window.end;
  const due = open.filter(inWindow);
  const candidates = open.filter((m) => !inWindow(m));
  const settledBefore = g.movements.filter((m) => m.settledOn !== null);
  const breaks: Break[] = [];
  const lines = g.lines.filter((l) => {
    const same = (m: RunMovement) => m.kind === l.kind && m.grossMinor === l.grossMinor && m.currency === l.currency;
    const earlier = open.some(same) ? undefined : settledBefore.find(same);
    if (earlier)
      breaks.push({
        reference: l.reference,
        movement: l.kind,
        line: l.line,
        kind: 'duplicate',
        detail: `the file of ${earlier.settledOn} already settled this ${l.kind}`,
      });
    return !earlier;
  });
  const first = matchSettlement<RunMovement>(due, lines, options);
  // Outside the window only the same money is a match: a left-over line with an equal candidate.
  const missing = new Set(first.breaks.filter((b) => b.kind === 'missing_in_ledger').map((b) => b.line));
  const leftOver = new Set(
    lines
      .filter(
        (l) =>
          missing.has(l.line) && candidates.some((m) => m.kind === l.kind && m.grossMinor === l.grossMinor && m.currency === l.currency),
      )
      .map((l) => l.line),
  );
  const second =
    leftOver.size && candidates.length
      ? matchSettlement<RunMovement>(
          candidates,
          lines.filter((l) => leftOver.has(l.line)),
          options,
        )
      : null;
  if (!second) breaks.push(...first.breaks);
  else
    breaks.push(
      ...first.breaks.filter((b) => b.kind !== 'missing_in_ledger' || !leftOver.has(b.line!)),
      // The left-over lines' own findings; the candidates left unmatched are not this day's.
      ...second.breaks.filter((b) => b.line !== undefined && b.kind !== 'net_mismatch' && b.kind !== 'duplicate'),
    );
  return {
    matched: first.matched + (second?.matched ?? 0),
    settled: [...first.settled, ...(second?.settled ?? [])],
    pending: first.pending,
    breaks,
  };
};

/**
 * One reconciliation run, in one transaction that holds the run chain: the provider's file streamed
 * into a staging table, matched reference by reference against the ledger's open movements (those
 * no earlier day's file settled), the day's entitlements and revenue read through cursors, the
 * report stored and chained by hash to the run before (any day). Memory stays flat: one reference,
 * one batch of rows, the breaks and the day's totals. Runs are never rewritten; a re-run on the same
 * inputs appends a run with the same report bytes.
 */
export const reconcileDay = async (dataSource: DataSource, input: ReconcileInput): Promise<ReconcileRun> => {
  const qr = dataSource.createQueryRunner();
  await qr.connect();
  // REPEATABLE READ: every statement of the run reads the snapshot its first read took.
  await qr.startTransaction('REPEATABLE READ');
  try {
    // One chain, and one snapshot of the ledger for the whole run: the lock comes before the first read.
    await qr.query('LOCK TABLE reconciliation_run IN EXCLUSIVE MODE');
    await qr.query("SET LOCAL work_mem = '128MB'");
    const [{ seq }] = await qr.query("SELECT nextval(pg_get_serial_sequence('reconciliation_run', 'seq')) AS seq");
    const source = Buffer.isBuffer(input.settlement) ? [input.settlement] : input.settlement;
    const file = readSettlement(source, (done) => input.onProgress?.({ phase: 'reading', done, total: 0 }));

    const staged = await stageSettlement(qr, file.lines);

    const summary = file.summary();

    const options = { now: input.asOf, graceHours: input.graceHours };
    const ledgerDigest = createHash('sha256');
    const breaks: Break[] = [];
    let matched = 0;
    let matchedLines = 0;
    const pending: MoneyTotals = {};
    let pendingCount = 0;
    // A re-run of the day replaces what the day's earlier run matched (its file may have been corrected).
    await qr.query('DELETE FROM settlement_match WHERE day = $1::date', [input.day]);
    const matches = new Batches<{ movementId: string; line: number }>(async (items) => {
      await qr.query(
        `INSERT INTO settlement_match (movement_id, day, line, run_seq)
         SELECT id, $3::date, min(line), $4 FROM unnest($1::text[], $2::int[]) AS u(id, line) GROUP BY id`,
        [items.map((i) => i.movementId), items.map((i) => i.line), input.day, seq],
      );
    });
    const [{ first }] = await qr.query("SELECT to_char(min(day), 'YYYY-MM-DD') AS first FROM reconciliation_run");
    const firstDay: string = first && first < input.day ? first : input.day;
    const window = { since: Date.parse(`${firstDay}T00:00:00.000Z`), end: Date.parse(`${input.day}T00:00:00.000Z`) + 86_400_000 };
    ledgerDigest.update('#0\n');
    for await (const g of referenceGroups(qr, input.day, `${firstDay}T00:00:00.000Z`)) {
      for (const m of g.movements) ledgerDigest.update(`${line(m)}\n`);
      const r = matchGroup(g, options, window);
      matched += r.matched;
      breaks.push(...r.breaks);
      for (const p of r.pending) addToTotals(pending, p);
      pendingCount += r.pending.length;
      for (const s of r.settled) await matches.push({ movementId: s.movement.movementId, line: s.line });
      matchedLines += g.lines.length;
      if (g.lines.length) input.onProgress?.({ phase: 'matching', done: matchedLines, total: staged.lines });
    }
    await matches.flush();

    let payments = 0;
    ledgerDigest.update('#1\n');
    for await (const batch of paymentEntitlements(qr, input.day)) {
      payments += batch.length;
      for (const p of batch) ledgerDigest.update(`${line(p)}\n`);
      breaks.push(...matchEntitlements(batch));
    }

    const revenue = new RevenueDay(input.day);
    ledgerDigest.update('#2\n');
    for await (const batch of revenuePayments(qr, input.day))
      for (const p of batch) {
        ledgerDigest.update(`${line(p)}\n`);
        revenue.add(p);
      }

    breaks.sort(compareBreaks);
    const inputs = { settlementSha256: summary.sha256, ledgerSha256: ledgerDigest.digest('hex') };
    const report = canonicalJson({
      day: input.day,
      asOf: input.asOf,
      graceHours: input.graceHours,
      openSince: firstDay,
      inputs,
      settlement: { format: summary.format, lines: staged.lines, ignored: summary.ignored },
      payments,
      matched,
      pending: { count: pendingCount, byCurrency: pending },
      breaks,
      totals: { ledger: await ledgerTotals(qr, input.day), provider: staged.byCurrency },
      revenue: revenue.rows(),
    });
    const reportSha256 = sha256(report);
    const [last] = await qr.query('SELECT hash FROM reconciliation_run ORDER BY seq DESC LIMIT 1');
    const previousHash: string = last?.hash ?? GENESIS;
    const hash = sha256([previousHash, input.day, inputs.settlementSha256, inputs.ledgerSha256, reportSha256].join('\n'));
    await qr.query(
      `INSERT INTO reconciliation_run (seq, day, settlement_sha256, ledger_sha256, report_sha256, breaks, previous_hash, hash, report)
       VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9)`,
      [seq, input.day, inputs.settlementSha256, inputs.ledgerSha256, reportSha256, breaks.length, previousHash, hash, report],
    );
    await qr.commitTransaction();
    return { seq: Number(seq), hash, previousHash, report, reportSha256, breaks, matched, pending: pendingCount };
  } catch (err) {
    if (qr.isTransactionActive) await qr.rollbackTransaction();
    throw err;
  } finally {
    await qr.release();
  }
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
