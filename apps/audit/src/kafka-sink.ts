import { createKafka, ensureTopics } from '@ledger/messaging';
import { CheckpointSink } from './checkpoint-follower';

/**
 * Signed checkpoints on a Kafka topic of their own (key: the log's origin, value: the signed note),
 * idempotent producer, acks from all in-sync replicas, kept forever: anyone can follow the log's
 * history of signed roots without access to the ledger.
 */
export const kafkaCheckpointSink = async (brokers: readonly string[], topic: string): Promise<CheckpointSink> => {
  const kafka = createKafka({ brokers, clientId: 'ledger-checkpoints' });
  await ensureTopics(kafka, [{ topic, partitions: 1, replicationFactor: -1, retentionMs: -1 }]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    publish: async (origin, size, note) => {
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: origin, value: note, headers: { 'content-type': 'text/plain; charset=utf-8', ledger_tree_size: String(size) } }],
      });
    },
    close: () => producer.disconnect(),
  };
};
