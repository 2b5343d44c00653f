import { ConfigError, Env, LedgerConfig, intSetting as int, loadConfig } from '@ledger/config';
import type { TopicSpec } from '@ledger/messaging';

export interface PublisherConfig {
  readonly ledger: LedgerConfig;
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topic: TopicSpec;
  readonly dlq: TopicSpec;
  /** Checkpoint row name. */
  readonly name: string;
  readonly port: number;
  readonly host: string;
  readonly batchSize: number;
  readonly maxRequestBytes: number;
}

/** Kafka's own rule for topic names. */
const topicName = (env: Env, name: string, fallback: string): string => {
  const value = env[name] || fallback;
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value)) throw new ConfigError(name, `not a valid Kafka topic name: "${value}"`);
  return value;
};

const replication = (env: Env): number => {
  const rf = int(env, 'KAFKA_REPLICATION_FACTOR', -1, -1, 32);
  if (rf === 0) throw new ConfigError('KAFKA_REPLICATION_FACTOR', 'expected -1 (broker default) or at least 1');
  return rf;
};

export const PUBLISHER_ENV_HELP = `Environment:
  EVENT_STORE_URL / DATABASE_URL  as the API's (npm start -- --help): postgres://… for a PostgreSQL
                              event store (the checkpoint table lives there too), or
                              EVENT_STORE_URL=esdb://host:2113?tls=false (also esdb+discover://,
                              kurrentdb://, kurrentdb+discover://, kurrent://) with DATABASE_URL for
                              the checkpoint; unset: embedded PGlite under LEDGER_DATA_DIR (default
                              ./data), only while no other process (e.g. the API) has it open
  KAFKA_BROKERS               host:port[,host:port…]                       (required)
  KAFKA_CLIENT_ID             client id                                    (ledger-publisher)
  KAFKA_TOPIC                 integration events topic                     (ledger.subscriptions.v1)
  KAFKA_TOPIC_PARTITIONS      partitions when the topic is created         (6)
  KAFKA_TOPIC_RETENTION_MS    retention.ms when created, -1 = forever      (-1)
  KAFKA_DLQ_TOPIC             dead-letter topic                            (<KAFKA_TOPIC>.dlq)
  KAFKA_DLQ_PARTITIONS        partitions when the DLQ is created           (1)
  KAFKA_REPLICATION_FACTOR    when creating topics, -1 = broker default    (-1)
  KAFKA_MAX_REQUEST_BYTES     bytes per produce call, < message.max.bytes  (900000)
  PUBLISHER_NAME              checkpoint name                              (publisher:<KAFKA_TOPIC>)
  PUBLISHER_BATCH_SIZE        events read and acknowledged per batch       (2000)
  PUBLISHER_PORT              /health, /health/live, /health/ready, /metrics port, 0 = any (3001)
  PUBLISHER_HOST              address of that port                         (127.0.0.1)
  LOG_LEVEL                   fatal, error, warn, info, debug or trace     (info)
  LOG_FORMAT                  json, or pretty                              (pretty on a terminal, else json)
  OTEL_EXPORTER_OTLP_ENDPOINT export traces over OTLP/HTTP there           (not exported)`;

/** Fails fast, naming the variable, like the API's configuration. */
export const loadPublisherConfig = (env: Env = process.env): PublisherConfig => {
  const ledger = loadConfig(env);
  if (!ledger.kafkaBrokers) throw new ConfigError('KAFKA_BROKERS', 'required: the publisher has nowhere to publish without it');
  const topic = topicName(env, 'KAFKA_TOPIC', 'ledger.subscriptions.v1');
  const replicationFactor = replication(env);
  return {
    ledger,
    brokers: ledger.kafkaBrokers,
    clientId: env.KAFKA_CLIENT_ID || 'ledger-publisher',
    topic: {
      topic,
      partitions: int(env, 'KAFKA_TOPIC_PARTITIONS', 6, 1, 10_000),
      replicationFactor,
      retentionMs: int(env, 'KAFKA_TOPIC_RETENTION_MS', -1, -1, Number.MAX_SAFE_INTEGER),
    },
    dlq: {
      topic: topicName(env, 'KAFKA_DLQ_TOPIC', `${topic}.dlq`),
      partitions: int(env, 'KAFKA_DLQ_PARTITIONS', 1, 1, 10_000),
      replicationFactor,
      retentionMs: -1,
    },
    name: env.PUBLISHER_NAME || `publisher:${topic}`,
    port: int(env, 'PUBLISHER_PORT', 3001, 0, 65535),
    host: env.PUBLISHER_HOST || '127.0.0.1',
    batchSize: int(env, 'PUBLISHER_BATCH_SIZE', 2000, 1, 100_000),
    maxRequestBytes: int(env, 'KAFKA_MAX_REQUEST_BYTES', 900_000, 10_000, 100_000_000),
  };
};
