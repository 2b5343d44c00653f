import 'reflect-metadata';
import { createReadStream, statSync } from 'node:fs';
import { ConfigError, loadConfig } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import { ReconcileRun, SettlementFileError, breaksCsv, openLedgerStorage, reconcileDay, storageConfig } from '@ledger/read-models';
import { UsageError, parseReconcileArgs } from './reconcile-args';

const HELP = `Usage: npm run reconcile -- --date YYYY-MM-DD --settlement FILE [--grace-hours N] [--as-of ISO] [--format text|json|csv]

Matches the ledger's money movements of one UTC day (captures with their booked fees, refunds,
lost chargebacks) line by line against the provider's settlement file on our payment reference,
and names every break: missing_in_ledger, missing_at_provider, amount_mismatch, currency_mismatch,
fee_not_booked, fee_mismatch, net_mismatch, duplicate, timing (a capture not settled within
--grace-hours, default 48; within it the capture is pending, not a break).

Each run is stored (inputs' SHA-256, the report) and chained by hash to the run before; the same
inputs and --as-of (default: now) give the same report, byte for byte.

Output: text (a summary and one line per break), json (the stored report) or csv (the breaks).
Exit code 0: no break; 1: breaks; 2: bad usage, configuration or file.

Reads the same settings as the API (LEDGER_DATA_DIR, DATABASE_URL, EVENT_STORE_URL). The embedded
PGlite store is single-process: stop the API before reconciling it.
`;

/** Reads the file with a progress bar on a terminal: settlement files of a busy day run to hundreds of MB. */
const readWithProgress = async (path: string): Promise<Buffer> => {
  const size = statSync(path).size;
  const chunks: Buffer[] = [];
  let read = 0;
  let shown = -1;
  for await (const chunk of createReadStream(path)) {
    chunks.push(chunk as Buffer);
    read += (chunk as Buffer).length;
    const pct = size ? Math.floor((read / size) * 100) : 100;
    if (process.stderr.isTTY && pct !== shown) {
      shown = pct;
      const bar = '#'.repeat(Math.floor(pct / 4)).padEnd(25, '.');
      process.stderr.write(`\rreading ${path} [${bar}] ${pct}%`);
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  return Buffer.concat(chunks);
};

const print = (run: ReconcileRun, format: 'text' | 'json' | 'csv'): void => {
  if (format === 'json') return void process.stdout.write(`${run.report}\n`);
  if (format === 'csv') {
    return void process.stdout.write(breaksCsv(run.breaks));
  }
  const r = run.result;
  process.stdout.write(
    `run ${run.seq} (hash ${run.hash.slice(0, 16)}…): ${r.matched} matched, ${r.pending.length} pending, ${r.breaks.length} breaks\n`,
  );
  for (const b of r.breaks)
    process.stdout.write(`BREAK ${b.kind} ${b.reference} (${b.movement}${b.line ? `, line ${b.line}` : ''}): ${b.detail}\n`);
};

const main = async (): Promise<number> => {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const args = parseReconcileArgs(argv);
  const settlement = await readWithProgress(args.settlement);
  const storage = await openLedgerStorage(storageConfig(loadConfig()));
  try {
    const run = await reconcileDay(storage.dataSource, {
      day: args.day,
      settlement,
      asOf: args.asOf ?? new Date().toISOString(),
      graceHours: args.graceHours,
    });
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
