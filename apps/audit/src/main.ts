import 'reflect-metadata';
import { ConfigError, loadConfig } from '@ledger/config';
import { DataDirectoryInUseError, VerifyReport, verifyAll, verifyStream } from '@ledger/event-store';
import { openLedgerStorage, storageConfig } from '@ledger/read-models';
import { checkpointSigner } from './checkpoint-key';
import { CheckpointFileError, VERIFIER_FILE, verifyAgainstCheckpoint, writeCheckpoint } from './checkpoints';
import { exportPeriod } from './export';
import { CheckpointFollower } from './checkpoint-follower';
import { kafkaCheckpointSink } from './kafka-sink';

const HELP = `Usage: npm run audit -- <command>

Commands:
  verify <streamId|card id>   Recompute one stream's SHA-256 hash chain (a card id without its
                              "subscription-" prefix is a card's stream) and name the first broken
                              link: an event altered, removed or reordered before the stream's last.
  verify --all                The same for every stream, in one pass over the log.
  checkpoint --out DIR        Sign the whole log as it is now (an RFC 6962 Merkle tree over every
                              event in log order; a C2SP signed note, Ed25519) and write what an
                              auditor keeps: DIR/checkpoint.txt, DIR/leaves.ndjson (event ids and
                              leaf hashes, no data), DIR/${VERIFIER_FILE}.
  checkpoint --follow --out DIR [--every N] [--interval SECONDS]
                              Keep signing as the log grows: a checkpoint every N events (default
                              1000) or every SECONDS (default 60) when it grew less, each written to
                              DIR (checkpoint-<size>.txt; checkpoint.txt the latest) and, with
                              KAFKA_BROKERS set, published to LEDGER_CHECKPOINT_TOPIC (default
                              ledger.checkpoints). Goes on from DIR/state.json after a restart; stops
                              on SIGINT/SIGTERM after signing what it read.
  verify --checkpoint FILE|DIR [--key VERIFIER_KEY]
                              Prove the log now an append-only extension of that earlier checkpoint
                              (its signature, then a consistency proof), or name what broke: a removed
                              tail, a removed stream, a rewritten stream, a reordering, a changed or an
                              inserted event. --key (or LEDGER_CHECKPOINT_VERIFIER_KEY) is the verifier
                              key the auditor holds; without it, this ledger's own key.
  export --from ISO --to ISO --out DIR
                              The events recorded in [from, to), exactly as stored, each with its
                              inclusion proof, and a signed checkpoint of the whole log they are proven
                              against: DIR/events.ndjson, DIR/checkpoint.txt, DIR/${VERIFIER_FILE}.
                              An auditor verifies it offline: node scripts/verify-export.mjs DIR --key KEY
  public-key                  Print the verifier key to hand to auditors.

Exit code 0: verified; 1: something broke (named on stdout); 2: bad usage, configuration, an unknown
stream or an unreadable checkpoint. A progress count goes to stderr on a terminal.

Reads the same settings as the API (LEDGER_DATA_DIR, DATABASE_URL, EVENT_STORE_URL, KAFKA_BROKERS), plus
LEDGER_CHECKPOINT_KEY (base64 of a 32-byte Ed25519 private key; default <data dir>/checkpoint-key,
generated on first use) and LEDGER_LOG_ORIGIN (the log's name, default ledger.local/log). The
embedded PGlite store is single-process: stop the API before auditing it.
`;

class UsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A bare card id is its card's stream; any other name is a stream id as given. */
const streamOf = (target: string): string => (UUID.test(target) ? `subscription-${target.toLowerCase()}` : target);

const progress = (label: string) => (n: number) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${n.toLocaleString('en')} events`);
};
const endProgress = () => process.stderr.isTTY && process.stderr.write('\n');

const printChains = (report: VerifyReport): void => {
  process.stdout.write(`verified ${report.events} events in ${report.streams} streams\n`);
  for (const b of report.broken) process.stdout.write(`BROKEN ${b.streamId} at revision ${b.revision} (event ${b.eventId}): ${b.reason}\n`);
  if (report.broken.length === 0) process.stdout.write('every hash chain verifies\n');
};

const flag = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return v;
};

const isoFlag = (args: string[], name: string): string => {
  const v = flag(args, name);
  if (!v || !/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v) || Number.isNaN(Date.parse(v)))
    throw new UsageError(`${name} needs an ISO-8601 date or date-time such as 2026-12-01 or 2026-12-01T12:00:00Z`);
  return new Date(v.length === 10 ? `${v}T00:00:00.000Z` : v).toISOString();
};

const main = async (): Promise<number> => {
  const args = process.argv.slice(2);
  const [verb, target] = args;
  if (!verb || verb === '--help' || verb === '-h' || args.includes('--help')) {
    process.stdout.write(HELP);
    return verb ? 0 : 2;
  }
  if (!['verify', 'checkpoint', 'export', 'public-key'].includes(verb)) throw new UsageError(`unknown command ${verb}`);
  const period = verb === 'export' ? { from: isoFlag(args, '--from'), to: isoFlag(args, '--to') } : null;
  if (verb === 'export' && !flag(args, '--out')) throw new UsageError('export needs --out DIR');
  if (verb === 'verify' && !target) throw new UsageError('verify needs a stream id, a card id, --all or --checkpoint DIR');
  if (verb === 'checkpoint' && !flag(args, '--out')) throw new UsageError('checkpoint needs --out DIR');
  const config = loadConfig();
  if (verb === 'public-key') {
    process.stdout.write(`${checkpointSigner(config.dataDir).signer.verifierKey()}\n`);
    return 0;
  }
  const storage = await openLedgerStorage(storageConfig(config));
  try {
    if (verb === 'checkpoint' && args.includes('--follow')) {
      const { signer } = checkpointSigner(config.dataDir);
      const every = Number(flag(args, '--every') ?? 1000);
      const interval = Number(flag(args, '--interval') ?? 60);
      if (!Number.isInteger(every) || every < 1) throw new UsageError('--every needs a whole number of events from 1');
      if (!(interval > 0)) throw new UsageError('--interval needs a number of seconds above 0');
      const topic = process.env.LEDGER_CHECKPOINT_TOPIC || 'ledger.checkpoints';
      const sink = config.kafkaBrokers ? await kafkaCheckpointSink(config.kafkaBrokers, topic) : undefined;
      const out = flag(args, '--out')!;
      const follower = new CheckpointFollower(storage.stored, signer, out, {
        every,
        intervalMs: interval * 1000,
        sink,
        log: (m) => process.stderr.write(`${m}\n`),
      });
      await follower.start();
      process.stdout.write(`signing the log into ${out}${sink ? ` and onto ${topic}` : ''}, every ${every} events or ${interval} s\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await follower.stop();
      return 0;
    }
    if (verb === 'checkpoint') {
      const { signer, generated } = checkpointSigner(config.dataDir);
      if (generated)
        process.stderr.write(
          `generated a checkpoint signing key in ${config.dataDir}/checkpoint-key; back it up apart from the database\n`,
        );
      const out = flag(args, '--out')!;
      const c = await writeCheckpoint(storage.stored, signer, out, progress('reading the log'));
      endProgress();
      process.stdout.write(
        `checkpoint of ${c.size} events, root ${c.root.toString('base64')}, signed by ${signer.name}, written to ${out}\n`,
      );
      return 0;
    }
    if (period) {
      const { signer } = checkpointSigner(config.dataDir);
      const out = flag(args, '--out')!;
      const r = await exportPeriod(storage.stored, signer, period, out, progress('reading the log'));
      endProgress();
      process.stdout.write(
        `exported ${r.exported} events of ${period.from} to ${period.to}, proven against a signed checkpoint of ${r.size} events, to ${out}\n`,
      );
      return 0;
    }
    if (target === '--checkpoint') {
      const dir = flag(args, '--checkpoint')!;
      const key =
        flag(args, '--key') ?? process.env.LEDGER_CHECKPOINT_VERIFIER_KEY ?? checkpointSigner(config.dataDir).signer.verifierKey();
      const verdict = await verifyAgainstCheckpoint(storage.stored, dir, key, progress('reading the log'));
      endProgress();
      if (verdict.kind === 'consistent') {
        process.stdout.write(
          `consistent: the log of ${verdict.now} events extends the signed checkpoint of ${verdict.size} (consistency proof of ${verdict.proofHashes} hashes verifies)\n`,
        );
        return 0;
      }
      process.stdout.write(`the log (${verdict.now} events) is not an append-only extension of the checkpoint of ${verdict.size}:\n`);
      for (const f of verdict.findings) process.stdout.write(`BROKEN ${f.kind} ${f.streamId}: ${f.detail}\n`);
      return 1;
    }
    if (target === '--all') {
      const report = await verifyAll(storage.stored);
      printChains(report);
      return report.broken.length ? 1 : 0;
    }
    const streamId = streamOf(target);
    const report = await verifyStream(storage.stored, streamId);
    if (report.events === 0) {
      process.stderr.write(`no stream ${streamId}${streamId === target ? '' : ` (the card ${target})`} in this ledger\n`);
      return 2;
    }
    printChains(report);
    return report.broken.length ? 1 : 0;
  } finally {
    await storage.close();
  }
};

main().then(
  (code) => process.exit(code),
  (err) => {
    const known = err instanceof ConfigError || err instanceof DataDirectoryInUseError || err instanceof CheckpointFileError;
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${HELP}`);
    else process.stderr.write(`${known ? (err as Error).message : (err as Error).stack}\n`);
    process.exit(2);
  },
);
