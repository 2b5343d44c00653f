import 'reflect-metadata';
import { createReadStream, statSync } from 'node:fs';
import { ConfigError, loadConfig } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import { ReconcileRun, SettlementFileError, breaksCsv, openLedgerStorage, reconcileDay, storageConfig } from '@ledger/read-models';
import { UsageError, parseReconcileArgs } from './reconcile-args';

const HELP = `Reconciles one UTC day of the payment provider's settlement file against the ledger.

Usage: npm run reconcile -- --date YYYY-MM-DD --settlement FILE [--grace-hours N] [--as-of ISO] [--format text|json|csv]
       node dist/apps/finance/src/reconcile.js <the same options>

Matches the provider's settlement file of one UTC day line by line, on our payment reference,
against the ledger's open money movements: every capture (with its booked fee), refund and lost
chargeback up to the day's end that no earlier day's file settled (providers settle a day or two
late, so open items carry over from day to day). Names every break: missing_in_ledger,
missing_at_provider, amount_mismatch, currency_mismatch, fee_not_booked, fee_mismatch,
net_mismatch, duplicate, timing (a capture not settled within --grace-hours; within it a movement
is pending, not a break), and the entitlement breaks of the day's payments (entitlement_missing,
cash_missing, revocation_missing, revocation_orphan).

Each run is stored (inputs' SHA-256, the report) and chained by hash to the run before; the same
inputs and --as-of give the same report, byte for byte.

Options:
  --date YYYY-MM-DD    the UTC day the file settles (required)
  --settlement FILE    the provider's settlement file (required)
  --grace-hours N      hours a capture may wait for its settlement (default 48)
  --as-of ISO          the instant the run is judged at (default: now)
  --format text|json|csv
                       text: a summary and one line per break; json: the stored report;
                       csv: the breaks (default text)
  -h, --help           print this help and exit

Environment: the API's (npm start -- --help): LEDGER_DATA_DIR, DATABASE_URL, EVENT_STORE_URL. The
embedded PGlite store is single-process: stop the API before reconciling it.

Exit codes:
  0  no break
  1  breaks (listed)
  2  bad usage, a bad setting, an unreadable file, a data directory held by another process,
     or any other failure

Examples:
  npm run reconcile -- --date 2026-12-01 --settlement settlement-2026-12-01.csv
  npm run reconcile -- --date 2026-12-01 --settlement settlement-2026-12-01.csv --format csv > breaks.csv
`;

/** A progress bar on a terminal: settlement files of a busy day run to hundreds of MB. */
const progress = (path: string) => {
  const size = statSync(path).size;
  let shown = '';
  return (p: { phase: 'reading' | 'matching'; done: number; total: number }): void => {
    if (!process.stderr.isTTY) return;
    const total = p.phase === 'reading' ? size : p.total;
    const pct = total ? Math.min(100, Math.floor((p.done / total) * 100)) : 100;
    const label = `${p.phase === 'reading' ? 'reading' : 'matching'} [${'#'.repeat(Math.floor(pct / 4)).padEnd(25, '.')}] ${pct}%`;
    if (label === shown) return;
    if (shown && !shown.startsWith(p.phase)) process.stderr.write('\n');
    shown = label;
    process.stderr.write(`\r${label}`);
  };
};

const print = (run: ReconcileRun, format: 'text' | 'json' | 'csv'): void => {
  if (format === 'json') return void process.stdout.write(`${run.report}\n`);
  if (format === 'csv') {
    return void process.stdout.write(breaksCsv(run.breaks));
  }
  process.stdout.write(
    `run ${run.seq} (hash ${run.hash.slice(0, 16)}…): ${run.matched} matched, ${run.pending} pending, ${run.breaks.length} breaks\n`,
  );
  for (const b of run.breaks)
    process.stdout.write(`BREAK ${b.kind} ${b.reference} (${b.movement}${b.line ? `, line ${b.line}` : ''}): ${b.detail}\n`);
};

const main = async (): Promise<number> => {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const args = parseReconcileArgs(argv);
  const onProgress = progress(args.settlement);
  const storage = await openLedgerStorage(storageConfig(loadConfig()));
  try {
    const run = await reconcileDay(storage.dataSource, {
      day: args.day,
      settlement: createReadStream(args.settlement),
      onProgress,
      asOf: args.asOf ?? new Date().toISOString(),
      graceHours: args.graceHours,
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    print(run, args.format);
    return run.breaks.length ? 1 : 0;
  } finally {
    await storage.close();
  }
};

main().then(
  (code) => process.exit(code),
  (err) => {
    const known =
      err instanceof UsageError ||
      err instanceof ConfigError ||
      err instanceof DataDirectoryInUseError ||
      err instanceof SettlementFileError;
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${HELP}`);
    else if ((err as NodeJS.ErrnoException).code === 'ENOENT') process.stderr.write(`${(err as Error).message}\n`);
    else process.stderr.write(`${known ? (err as Error).message : (err as Error).stack}\n`);
    process.exit(2);
  },
);
