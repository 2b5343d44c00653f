import { Consumer, Kafka, KafkaMessage } from 'kafkajs';

export interface ReceivedEvent {
  readonly id: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string;
  readonly partition: number;
  readonly position: bigint;
}

export interface Duplicate {
  readonly id: string;
  /** True when the re-sent record carries the same key, value and CloudEvents attributes. */
  readonly identical: boolean;
}

const headersOf = (m: KafkaMessage): Record<string, string> =>
  Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')]));

const fingerprint = (e: Omit<ReceivedEvent, 'id'>): string => JSON.stringify([e.key, e.value, e.partition, e.headers]);

/**
 * What a downstream service does with the topic: at-least-once delivery made exactly-once by
 * deduplicating on ce_id, and a per-card order check on the ledger position (a card's events are
 * on one partition, so a position that goes back means the publisher broke the order).
 */
export class SampleConsumer {
  readonly events: ReceivedEvent[] = [];
  readonly duplicates: Duplicate[] = [];
  readonly orderViolations: string[] = [];
  private readonly seen = new Map<string, string>();
  private readonly lastPosition = new Map<string, bigint>();

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, topic: string): Promise<SampleConsumer> {
    const consumer = kafka.consumer({ groupId: `sample-${topic}-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 });
    const sample = new SampleConsumer(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message, partition }) => sample.accept(message, partition) });
    return sample;
  }

  accept(message: KafkaMessage, partition: number): void {
    const headers = headersOf(message);
    const id = headers.ce_id;
    const received = {
      key: message.key?.toString() ?? '',
      value: message.value?.toString() ?? '',
      headers,
      partition,
      position: BigInt(headers.ledger_position ?? -1),
    };
    const previous = this.seen.get(id);
    if (previous !== undefined) {
      this.duplicates.push({ id, identical: previous === fingerprint(received) });
      return;
    }
    this.seen.set(id, fingerprint(received));
    const last = this.lastPosition.get(received.key);
    if (last !== undefined && received.position <= last) {
      this.orderViolations.push(`card ${received.key}: position ${received.position} after ${last}`);
    }
    this.lastPosition.set(received.key, received.position);
    this.events.push({ id, ...received });
  }

  ids(): string[] {
    return this.events.map((e) => e.id);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
