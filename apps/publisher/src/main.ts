import { tracing } from './instrument';
import { ConfigError } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import { LedgerProducer, createKafka, ensureTopics } from '@ledger/messaging';
import { SqlCheckpointStore } from './checkpoint/publisher-checkpoint';
import { PUBLISHER_ENV_HELP, PublisherConfig, loadPublisherConfig } from './config/publisher.config';
import { Backoff, Pause } from '@ledger/event-store';
import { PUBLISHER_BACKOFF, Publisher } from './gateway/publisher';
import { startHealthServer } from './health/health-server';
import { PublisherLog, publisherLog } from './log';
import { openPublisherStorage } from './storage/open-publisher-storage';
import { processLogger, startProcessMetrics } from '@ledger/observability';

const USAGE = `Publishes the ledger's card events to Kafka as CloudEvents, from its own checkpoint.

Usage: npm run publisher [-- --help]
       node dist/apps/publisher/src/main.js [--help]

CloudEvents in binary mode, key = card id, from the checkpoint in table publisher_checkpoint, which
advances only after the broker acknowledged. Events it cannot map go to the dead-letter topic.
GET /health on PUBLISHER_PORT reports state and lag. While the broker is unreachable it retries
with backoff (live, not ready) rather than exiting. Republish a range without touching the
checkpoint: npm run publisher:replay -- --help.

Options:
  -h, --help                  print this help and exit

${PUBLISHER_ENV_HELP}

Exit codes:
  0  stopped by SIGINT or SIGTERM
  1  a failure while running or stopping (also: not stopped within 20 s of the signal)
  2  a bad setting (the message names the variable) or a data directory held by another process

Examples:
  KAFKA_BROKERS=127.0.0.1:9092 DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/ledger npm run publisher
`;

/** The broker may still be starting when the publisher does: wait for it rather than exit. */
const ensureTopicsPatiently = async (config: PublisherConfig, log: PublisherLog, pause: Pause, stopping: () => boolean): Promise<void> => {
  const kafka = createKafka({ brokers: config.brokers, clientId: `${config.clientId}-admin`, log: log.kafka, verbose: log.debug });
  const backoff = new Backoff(PUBLISHER_BACKOFF);
  while (!stopping()) {
    try {
      await ensureTopics(kafka, [config.topic, config.dlq], log.kafka);
      return;
    } catch (err) {
      log.warn(`could not reach Kafka at ${config.brokers.join(',')} to create topics, retrying: ${(err as Error).message}`);
      await pause.sleep(backoff.next());
    }
  }
};

const main = async (): Promise<void> => {
  const log = publisherLog('publisher');
  const config = loadPublisherConfig();
  startProcessMetrics('publisher');
  // Listening first: while it opens the store and waits for the broker it is live and not ready.
  let current: Publisher | null = null;
  const health = await startHealthServer(() => current, config.port, config.host, { name: config.name, topic: config.topic.topic });
  const storage = await openPublisherStorage(config.ledger);
  const checkpoints = new SqlCheckpointStore(storage.pool);
  await checkpoints.migrate();

  let stopping = false;
  const pause = new Pause();
  let shutdown: () => Promise<void> = async () => {
    await health.close();
    await storage.close();
  };
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    pause.wake();
    log.info(`${signal}: stopping`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    shutdown().then(
      () =>
        tracing.shutdown().then(
          () => process.exit(0),
          () => process.exit(0),
        ),
      (err) => (log.error(String(err)), process.exit(1)),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await ensureTopicsPatiently(config, log, pause, () => stopping);
  if (stopping) return;
  const producer = new LedgerProducer({
    brokers: config.brokers,
    clientId: config.clientId,
    log: log.kafka,
    verbose: log.debug,
    maxRequestBytes: config.maxRequestBytes,
  });
  const publisher = new Publisher(
    { store: storage.store, producer, checkpoints, lag: storage.lag, logger: log },
    { name: config.name, topic: config.topic.topic, dlqTopic: config.dlq.topic, batchSize: config.batchSize },
  );
  await publisher.start();
  current = publisher;
  shutdown = async () => {
    await publisher.stop();
    await producer.close();
    await health.close();
    await storage.close();
  };
  log.info(
    `publisher started: name=${config.name} topic=${config.topic.topic} dlq=${config.dlq.topic} ` +
      `checkpoint=${publisher.status().checkpoint} health=http://${config.host}:${health.port}/health metrics=http://${config.host}:${health.port}/metrics`,
  );
};

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
} else {
  main().catch((err) => {
    const known = err instanceof ConfigError || err instanceof DataDirectoryInUseError;
    processLogger('publisher').fatal(known ? err.message : (err as Error).stack);
    process.exit(known ? 2 : 1);
  });
}
