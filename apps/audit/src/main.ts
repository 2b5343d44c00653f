import 'reflect-metadata';
import { ConfigError, loadConfig } from '@ledger/config';
import { DataDirectoryInUseError, VerifyReport, verifyAll, verifyStream } from '@ledger/event-store';
import { openLedgerStorage, storageConfig } from '@ledger/read-models';

const HELP = `Usage: npm run audit -- verify <streamId>|--all

Recomputes the SHA-256 hash chain of a stream (or of every stream) from the stored events and
names the first broken link: an event altered, removed or reordered after it was written.
Exit code 0: every chain verifies; 1: a link is broken; 2: bad usage or configuration.

Reads the same settings as the API (LEDGER_DATA_DIR, DATABASE_URL, EVENT_STORE_URL). The embedded
PGlite store is single-process: stop the API before auditing it.
`;

const print = (report: VerifyReport): void => {
  process.stdout.write(`verified ${report.events} events in ${report.streams} streams\n`);
  for (const b of report.broken) {
    process.stdout.write(`BROKEN ${b.streamId} at revision ${b.revision} (event ${b.eventId}): ${b.reason}\n`);
  }
  if (report.broken.length === 0) process.stdout.write('every hash chain verifies\n');
};

const main = async (): Promise<number> => {
  const [verb, target] = process.argv.slice(2);
  if (verb !== 'verify' || !target) {
    process.stdout.write(HELP);
    return verb === '--help' || verb === '-h' ? 0 : 2;
  }
  const storage = await openLedgerStorage(storageConfig(loadConfig()));
  try {
    const report = target === '--all' ? await verifyAll(storage.stored) : await verifyStream(storage.stored, target);
    print(report);
    if (report.streams === 0 && target !== '--all') process.stdout.write(`stream ${target} has no events\n`);
    return report.broken.length ? 1 : 0;
  } finally {
    await storage.close();
  }
};

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof ConfigError || err instanceof DataDirectoryInUseError ? err.message : (err as Error).stack}\n`);
    process.exit(2);
  },
);
