/**
 * bench:publisher — events/s relayed by the publisher (PostgreSQL store → mapping → idempotent
 * acks=all producer → checkpoint) versus a bare kafkajs batched producer sending the same payloads,
 * in the same run, against the same broker. Needs DATABASE_URL and KAFKA_BROKERS (see infra/README.md).
 * Usage: npm run bench:publisher -- [events=200000] [batchSize=2000]
 */
import { Pool } from 'pg';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { PostgresEventStore } from '@ledger/event-store';
import { LedgerProducer, OutgoingMessage, createKafka, ensureTopics, toIntegrationEvent } from '@ledger/messaging';
import { createTestDatabase } from '@ledger/testing';
import { appendHistories, cardHistories } from '../../libs/messaging/src/testing/card-history';
import { SqlCheckpointStore } from '../../apps/publisher/src/checkpoint/publisher-checkpoint';
import { Publisher } from '../../apps/publisher/src/gateway/publisher';
import { SqlLagProbe } from '@ledger/event-store';

const [events = 200_000, batchSize = 2_000] = process.argv.slice(2).map(Number);
const { DATABASE_URL, KAFKA_BROKERS } = process.env;
const PARTITIONS = 6;
const MAX_REQUEST_BYTES = 900_000;

const mb = (): number => Math.round(process.memoryUsage().rss / 1e6);

/** Runs `work` while sampling RSS every second; answers events/s and the samples. */
const measure = async (label: string, work: () => Promise<void>): Promise<{ rate: number; rss: number[] }> => {
  const rss = [mb()];
  const sampler = setInterval(() => rss.push(mb()), 1_000);
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  rss.push(mb());
  const rate = Math.round(events / seconds);
  process.stdout.write(`${label.padEnd(8)} ${events} events in ${seconds.toFixed(2)} s = ${rate} events/s; RSS MB ${rss.join(' ')}\n`);
  return { rate, rss };
};

/** The integration messages of the first `limit` stored events, mapped ahead of time. */
const readPayloads = async (store: PostgresEventStore, limit: number): Promise<OutgoingMessage[]> => {
  const out: OutgoingMessage[] = [];
  for (let from = 0n; out.length < limit;) {
    const page = await store.readAll({ fromPosition: from, limit: Math.min(10_000, limit - out.length) });
    if (!page.length) break;
    for (const e of page) out.push(toIntegrationEvent(e)!);
    from = page[page.length - 1].position;
  }
  return out;
};

const main = async (): Promise<void> => {
  if (!DATABASE_URL || !KAFKA_BROKERS)
    throw new Error('set DATABASE_URL and KAFKA_BROKERS (infra/postgres/start.sh, infra/kafka/start.sh)');
  const brokers = KAFKA_BROKERS.split(',');
  const database = await createTestDatabase(DATABASE_URL, 'bench_publisher');
  const pool = new Pool({ connectionString: database.url, max: 4 }).on('error', () => undefined);
  const kafka = createKafka({ brokers, clientId: 'bench' });
  try {
    const store = new PostgresEventStore(pool);
    await store.migrate();
    const checkpoints = new SqlCheckpointStore(pool);
    await checkpoints.migrate();
    const seeding = Date.now();
    const cards = cardHistories('bench', events, { renewals: 20 });
    await appendHistories(store, cards, 200);
    const last = BigInt((await pool.query('SELECT max(position) AS position FROM es_events')).rows[0].position);
    process.stdout.write(
      `seeded ${events} events on ${cards.size} cards in ${((Date.now() - seeding) / 1000).toFixed(1)} s; ` +
        `batch ${batchSize}, ${PARTITIONS} partitions, compression none, acks=all, idempotent; node ${process.version}\n`,
    );
    cards.clear();

    const tag = Date.now();
    const topics = ['relay', 'bare', 'warmup'].map((t) => `bench.${t}.${tag}`);
    await ensureTopics(
      kafka,
      [...topics, `${topics[0]}.dlq`].map((topic) => ({ topic, partitions: PARTITIONS, replicationFactor: -1, retentionMs: 600_000 })),
    );

    const bare = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await bare.connect();
    const sendBare = async (topic: string, messages: readonly OutgoingMessage[]): Promise<void> => {
      for (let i = 0; i < messages.length; i += batchSize) {
        const chunk = messages.slice(i, i + batchSize) as OutgoingMessage[] as {
          key: string;
          value: string;
          headers: Record<string, string>;
        }[];
        await bare.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic, messages: chunk }] });
      }
    };
    // Warm both paths up (JIT, connections, topic metadata) before anything is timed.
    await sendBare(topics[2], await readPayloads(store, 20_000));

    const producer = new LedgerProducer({ brokers, clientId: 'bench-relay', maxRequestBytes: MAX_REQUEST_BYTES });
    const publisher = new Publisher(
      { store, producer, checkpoints, lag: new SqlLagProbe(pool) },
      { name: `bench:${tag}`, topic: topics[0], dlqTopic: `${topics[0]}.dlq`, batchSize },
    );
    // The relay runs first so its RSS is the publisher's own, not the bare run's preloaded payloads.
    const relay = await measure('relay', async () => {
      await publisher.start();
      for (let idle = 0, seen = -1n; publisher.status().checkpoint < last;) {
        await new Promise((r) => setTimeout(r, 5));
        idle = publisher.status().checkpoint === seen ? idle + 5 : 0;
        seen = publisher.status().checkpoint;
        if (idle > 60_000)
          throw new Error(
            `relay made no progress for 60 s: ${JSON.stringify(publisher.status(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
          );
      }
    });
    await publisher.stop();
    await producer.close();

    const payloads = await readPayloads(store, events);
    const direct = await measure('bare', () => sendBare(topics[1], payloads));
    await bare.disconnect();
    process.stdout.write(
      `ratio relay/bare = ${(relay.rate / direct.rate).toFixed(2)} (target >= 0.70; relay target >= 30000 events/s on 2 cores)\n`,
    );

    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [...topics, `${topics[0]}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  } finally {
    await pool.end();
    await database.stop();
  }
};

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
