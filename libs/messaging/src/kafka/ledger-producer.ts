import { CompressionTypes, Kafka, LogEntry, Partitioners, Producer, RetryOptions, logLevel } from 'kafkajs';
import { TopicBatch, chunkBatches } from './message-chunks';

export type KafkaLog = (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void;

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly log?: KafkaLog;
  /** kafkajs' INFO lines too (connections, joins, metadata), logged at debug. */
  readonly verbose?: boolean;
  /** kafkajs' own retry (per request); the publisher's outer loop retries beyond it. */
  readonly retry?: RetryOptions;
}

const DEFAULT_RETRY: RetryOptions = { initialRetryTime: 200, maxRetryTime: 5_000, retries: 5 };

/** Finite retries are deliberate: an exhausted send resets the producer, which restores the guarantee this warns about. */
const EXPECTED_WARNING = 'Limiting retries for the idempotent producer';

/**
 * kafkajs' ERROR lines are requests it failed and retries, or failures it hands to the caller, who
 * says at its own level what it gives up on: a warning here. Its INFO is chatter: debug.
 */
export const kafkaLevel = (level: logLevel): 'warn' | 'debug' => (level <= logLevel.WARN ? 'warn' : 'debug');

export const createKafka = ({ brokers, clientId, log, retry, verbose }: KafkaClientOptions): Kafka =>
  new Kafka({
    clientId,
    brokers: [...brokers],
    connectionTimeout: 3_000,
    retry: { ...DEFAULT_RETRY, ...retry },
    logLevel: verbose ? logLevel.INFO : logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      if (!log || entry.log.message.startsWith(EXPECTED_WARNING)) return;
      log(
        kafkaLevel(entry.level),
        `kafkajs ${entry.namespace}: ${entry.log.message}${entry.log.error ? ` (${String(entry.log.error)})` : ''}`,
      );
    },
  });

/** The part of a producer the publisher needs; tests substitute a fake. */
export interface BatchProducer {
  /** Resolves once the broker acknowledged every message with acks=all; rejects otherwise. */
  send(batches: readonly TopicBatch[]): Promise<void>;
  /** Drops the session after a failure, so the next send starts with a fresh producer id. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface LedgerProducerOptions extends KafkaClientOptions {
  /** Bytes per produce call; see chunkBatches. Stay under the broker's message.max.bytes. */
  readonly maxRequestBytes?: number;
  readonly maxRequestMessages?: number;
}

/**
 * Idempotent kafkajs producer with acks=all, no compression, one request in flight: the broker
 * drops a retried batch it already has, and per-partition order survives retries.
 */
export class LedgerProducer implements BatchProducer {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | null = null;

  constructor(private readonly options: LedgerProducerOptions) {
    this.kafka = createKafka(options);
  }

  async send(batches: readonly TopicBatch[]): Promise<void> {
    const producer = await this.connected();
    const chunks = chunkBatches(batches, this.options.maxRequestBytes ?? 900_000, this.options.maxRequestMessages ?? 10_000);
    for (const topicMessages of chunks) {
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: topicMessages.map((b) => ({
          topic: b.topic,
          messages: b.messages as { key: string; value: string; headers: Record<string, string> }[],
        })),
      });
    }
  }

  async reset(): Promise<void> {
    const previous = this.producer;
    this.producer = null;
    if (previous) await disconnectQuietly(previous);
  }

  close(): Promise<void> {
    return this.reset();
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { ...DEFAULT_RETRY, ...this.options.retry },
      });
      const ready = producer.connect().then(() => producer);
      // A failed connect must not be cached: the next send tries again.
      ready.catch(() => {
        if (this.producer === ready) this.producer = null;
      });
      this.producer = ready;
    }
    return this.producer;
  }
}

const disconnectQuietly = async (producer: Promise<Producer>): Promise<void> => {
  const p = await producer.catch(() => null);
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  // With the broker gone, disconnect can wait on requests that will never complete.
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)));
  await Promise.race([p.disconnect().catch(() => undefined), timeout]);
  clearTimeout(timer);
};
