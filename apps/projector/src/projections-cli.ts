import 'reflect-metadata';
import { ConfigError, LedgerConfig, loadConfig } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import {
  LEDGER_PROJECTION_NAMES,
  LagCounter,
  LedgerStorage,
  RebuildFailedError,
  lagByPaging,
  lagBySql,
  openLedgerStorage,
  storageConfig,
} from '@ledger/read-models';
import { digestCommand, rebuildCommand, statusCommand } from './projections-commands';

const HELP = `Shows, rebuilds and digests the read models (projections).

Usage: npm run projections -- <command> [options]
       node dist/apps/projector/src/projections-cli.js <command> [options]

Commands:
  status [--json]                  Per projection: state (running|stopped|failed), checkpoint
                                   position, lag in events behind the log head, last error, and
                                   the streams (cards) set aside at an event it could not apply.
  rebuild <name>|all [--force] [--batch-size N]
                                   Replay the log from position 0 into <table>__rebuild while the
                                   live tables keep serving, compare digests at the same position,
                                   and switch atomically. Refuses when rows differ, listing them,
                                   unless --force.
  digest [name...] [--json]        SHA-256 of each read model (rows in primary-key order,
                                   canonical JSON) and the position it was taken at.

Projections: ${LEDGER_PROJECTION_NAMES.join(', ')}

Options:
  --json                           machine-readable output (status, digest)
  --force                          rebuild: switch even when the digests differ
  --batch-size N                   rebuild: events per batch (default 10000)
  -h, --help                       print this help and exit

Environment: the API's (npm start -- --help): DATABASE_URL / EVENT_STORE_URL for PostgreSQL (and
EventStoreDB), otherwise the embedded PGlite store under LEDGER_DATA_DIR (default ./data).
PGlite is a PostgreSQL that only one process may open: against it this command runs only while the
API and the projector are stopped (it refuses when it sees the data directory open in another
process). On PostgreSQL it runs beside them; a rebuild pauses the live projector only for the
moment of the switch.

Exit codes:
  0  done (status --json always exits 0: read the states from the JSON)
  1  a rebuild failed, or another failure
  2  bad usage (also no command), a bad setting, or a data directory held by another process
  3  rebuild refused: live and rebuilt rows differ (listed)
  4  status: a projection has failed
  5  status: no projection failed, but one has set streams aside (listed, with the event and error)

Examples:
  npm run projections -- status
  npm run projections -- rebuild all
  npm run projections -- digest card_balance --json
`;

interface Args {
  readonly command: string | undefined;
  readonly names: string[];
  readonly force: boolean;
  readonly json: boolean;
  readonly help: boolean;
  readonly batchSize: number;
}

class UsageError extends Error {}

const parseArgs = (argv: readonly string[]): Args => {
  const rest: string[] = [];
  let force = false;
  let json = false;
  let help = false;
  let batchSize = 10_000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') force = true;
    else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--batch-size') {
      batchSize = Number(argv[++i]);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError(`--batch-size: expected a positive integer, got "${argv[i]}"`);
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else rest.push(a);
  }
  const [command, ...names] = rest;
  return { command, names, force, json, help, batchSize };
};

const projectionNames = (names: readonly string[]): string[] => {
  if (names.length === 1 && names[0] === 'all') return [...LEDGER_PROJECTION_NAMES];
  if (names.length === 0) throw new UsageError('rebuild: name a projection, or "all"');
  const unknown = names.filter((n) => !LEDGER_PROJECTION_NAMES.includes(n));
  if (unknown.length) throw new UsageError(`unknown projection ${unknown.join(', ')}; known: ${LEDGER_PROJECTION_NAMES.join(', ')}`);
  return [...names];
};

/** Counting in SQL needs es_events in the read models' database, which is so unless EVENT_STORE_URL points elsewhere. */
const lagCounter = (config: LedgerConfig, storage: LedgerStorage): LagCounter =>
  config.eventStore.kind === 'embedded' || (config.eventStore.kind === 'postgres' && config.eventStore.url === config.databaseUrl)
    ? lagBySql(storage.dataSource)
    : lagByPaging(storage.store);

const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv);
  if (args.help || !args.command) {
    process.stdout.write(HELP);
    return args.help ? 0 : 2;
  }
  if (!['status', 'rebuild', 'digest'].includes(args.command)) throw new UsageError(`unknown command "${args.command}"`);
  const names =
    args.command === 'rebuild'
      ? projectionNames(args.names)
      : args.command === 'digest' && args.names.length
        ? projectionNames(args.names)
        : [];
  const config = loadConfig();
  const storage = await openLedgerStorage(storageConfig(config));
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const log = (line: string): void => void process.stderr.write(`[${new Date().toISOString()}] ${line}\n`);
  try {
    if (args.command === 'status') return await statusCommand(storage, lagCounter(config, storage), args.json, print);
    if (args.command === 'digest') return await digestCommand(storage, names, args.json, print);
    return await rebuildCommand(storage, names, { force: args.force, batchSize: args.batchSize, log }, print);
  } finally {
    await storage.close();
  }
};

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const usage = err instanceof UsageError || err instanceof ConfigError || err instanceof DataDirectoryInUseError;
    const expected = usage || err instanceof RebuildFailedError;
    process.stderr.write(`projections: ${expected ? err.message : ((err as Error).stack ?? String(err))}\n`);
    if (err instanceof UsageError) process.stderr.write('see projections --help\n');
    process.exit(usage ? 2 : 1);
  },
);
