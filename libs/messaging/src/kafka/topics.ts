import type { Kafka } from 'kafkajs';
import type { KafkaLog } from './ledger-producer';

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** -1: the broker's default.replication.factor. */
  readonly replicationFactor: number;
  /** -1: keep forever. */
  readonly retentionMs: number;
}

/**
 * With acks=all, min.insync.replicas decides how many copies an ack stands for; two once there
 * are three replicas, so one broker can be down without refusing writes or risking a lost ack.
 */
const topicConfig = (spec: TopicSpec): { name: string; value: string }[] => [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: String(spec.retentionMs) },
  ...(spec.replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : []),
];

/**
 * Creates missing topics and reports existing ones whose partition count differs. It never adds
 * partitions to an existing topic: that would move keys to other partitions and break per-card order.
 */
export const ensureTopics = async (kafka: Kafka, specs: readonly TopicSpec[], log: KafkaLog = () => undefined): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor,
          configEntries: topicConfig(s),
        })),
      });
      log('info', `created topics ${missing.map((s) => `${s.topic} (${s.partitions} partitions)`).join(', ')}`);
    }
    const present = specs.filter((s) => existing.has(s.topic));
    if (present.length) {
      const { topics } = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
      for (const t of topics) {
        const wanted = present.find((s) => s.topic === t.name)!.partitions;
        if (t.partitions.length !== wanted) {
          log('warn', `topic ${t.name} has ${t.partitions.length} partitions, configured ${wanted}; keeping ${t.partitions.length}`);
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
};
