import { ConfigError } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import { LedgerProducer, createKafka, ensureTopics } from '@ledger/messaging';
import { PUBLISHER_ENV_HELP, loadPublisherConfig } from './config/publisher.config';
import { publisherLog } from './log';
import { UsageError, parseReplayArgs } from './replay/replay-args';
import { replay } from './replay/replayer';
import { openPublisherStorage } from './storage/open-publisher-storage';

const USAGE = `Republishes a range of the log's card events to a Kafka topic, without touching the live checkpoint.

Usage: npm run publisher:replay -- --topic <name> (--from-position <n> | --from-time <ISO-8601>)
                                   [--to-position <n>] [--batch-size <n>] [--partitions <n>]
       node dist/apps/publisher/src/replay.js <the same options>

Republishes the card events of the log, from a position (inclusive) or from the first event recorded
at or after a time, to <topic>, as the live publisher would (same CloudEvents, keys and ce_id, so
consumers deduplicate). It never reads or writes the live checkpoint. Events the mapping refuses
are listed, not sent. Writes a JSON summary on stdout.

Options:
  --topic <name>              the topic to publish to (required)
  --from-position <n>         start at this log position, inclusive
  --from-time <ISO-8601>      start at the first event recorded at or after this UTC time
                              (exactly one of --from-position and --from-time)
  --to-position <n>           stop after this log position, inclusive (default: the end of the log)
  --batch-size <n>            events read per batch (default 2000)
  --partitions <n>            partitions when the topic is created (default KAFKA_TOPIC_PARTITIONS)
  -h, --help                  print this help and exit
  Each option also takes the form --option=value.

${PUBLISHER_ENV_HELP}

Exit codes:
  0  done (the JSON summary on stdout)
  1  any other failure (with its stack)
  2  bad usage, a bad setting, or a data directory held by another process

Examples:
  npm run publisher:replay -- --topic ledger.replay.v1 --from-time 2026-12-01T00:00:00Z
  npm run publisher:replay -- --topic ledger.replay.v1 --from-position 0 --to-position 100000
`;

const main = async (): Promise<void> => {
  const args = parseReplayArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const log = publisherLog('replay');
  const config = loadPublisherConfig();
  // The store first: on the embedded default a running API holds it, and that refusal is immediate.
  const storage = await openPublisherStorage(config.ledger);
  const kafka = createKafka({ brokers: config.brokers, clientId: `${config.clientId}-replay`, log: log.kafka, verbose: log.debug });
  const producer = new LedgerProducer({
    brokers: config.brokers,
    clientId: `${config.clientId}-replay`,
    log: log.kafka,
    verbose: log.debug,
    maxRequestBytes: config.maxRequestBytes,
  });
  try {
    await ensureTopics(kafka, [{ ...config.topic, topic: args.topic, partitions: args.partitions ?? config.topic.partitions }], log.kafka);
    let reported = 0;
    const result = await replay(storage.store, producer, args, (r) => {
      if (r.published - reported >= 50_000) log.info(`replayed ${(reported = r.published)} events, up to position ${r.lastPosition}`);
    });
    for (const p of result.poison) log.error(`not replayed: event ${p.id} at ${p.position}: ${p.reason}`);
    process.stdout.write(`${JSON.stringify({ topic: args.topic, ...result, poison: result.poison.length })}\n`);
  } finally {
    await producer.close();
    await storage.close();
  }
};

main().catch((err) => {
  const known = err instanceof UsageError || err instanceof ConfigError || err instanceof DataDirectoryInUseError;
  process.stderr.write(`${known ? `${err.message}${err instanceof UsageError ? ' (see --help)' : ''}` : (err as Error).stack}\n`);
  process.exit(known ? 2 : 1);
});
