import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { EventToAppend } from '@ledger/event-store';
import { LedgerProducer, createKafka, ensureTopics } from '@ledger/messaging';
import { createTestDatabase } from '@ledger/testing';
import { openLedgerStorage } from '@ledger/read-models';
import { SqlCheckpointStore } from '../../apps/publisher/src/checkpoint/publisher-checkpoint';
import { Publisher, PublisherOptions } from '../../apps/publisher/src/gateway/publisher';
import { SqlLagProbe } from '@ledger/event-store';

export { waitUntil } from '../../apps/publisher/src/testing/fakes';

export const uniqueTopic = (what: string): string => `test.${what}.${Date.now()}.${randomBytes(3).toString('hex')}`;

export const kafkaFor = (brokers: string): Kafka => createKafka({ brokers: brokers.split(','), clientId: 'ledger-test' });

export const createTopics = (brokers: string, ...topics: string[]): Promise<void> =>
  ensureTopics(
    kafkaFor(brokers),
    topics.map((topic) => ({ topic, partitions: 3, replicationFactor: -1, retentionMs: -1 })),
  );

/**
 * A fresh database with the event store and the checkpoint table, on the server `serverUrl` names,
 * opened by the ledger's one storage opener: the publisher reads through the port (upcasting), and
 * `stored` writes below it (an old event shape, as an older release stored it).
 */
export const openLedgerDatabase = async (serverUrl: string) => {
  const database = await createTestDatabase(serverUrl, 'ledger_pub');
  const storage = await openLedgerStorage({ kind: 'postgres', eventStoreUrl: database.url, readModelUrl: database.url });
  const pool = storage.eventStorePool!;
  const checkpoints = new SqlCheckpointStore(pool);
  await checkpoints.migrate();
  return {
    url: database.url,
    pool,
    store: storage.store,
    stored: storage.stored,
    checkpoints,
    close: async () => {
      await storage.close();
      await database.stop();
    },
  };
};

export type LedgerDatabase = Awaited<ReturnType<typeof openLedgerDatabase>>;

/** A fresh ledger database for the enclosing describe: opened before its tests, dropped after. */
export const useLedgerDatabase = (serverUrl: () => string): (() => LedgerDatabase) => {
  let db: LedgerDatabase | undefined;
  beforeAll(async () => {
    db = await openLedgerDatabase(serverUrl());
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => db!;
};

export const startPublisher = async (db: LedgerDatabase, brokers: string, options: Partial<PublisherOptions> & { topic: string }) => {
  const full: PublisherOptions = {
    name: `test:${options.topic}`,
    dlqTopic: `${options.topic}.dlq`,
    batchSize: 200,
    backoff: { baseMs: 100, maxMs: 1_000 },
    ...options,
  };
  await createTopics(brokers, full.topic, full.dlqTopic);
  const producer = new LedgerProducer({
    brokers: brokers.split(','),
    clientId: 'ledger-test-publisher',
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const publisher = new Publisher({ store: db.store, producer, checkpoints: db.checkpoints, lag: new SqlLagProbe(db.pool) }, full);
  await publisher.start();
  return {
    publisher,
    stop: async () => {
      await publisher.stop();
      await producer.close();
    },
  };
};

export const checkpointOf = async (db: LedgerDatabase, name: string): Promise<bigint> => db.checkpoints.load(name);

/** Appends each card's events in slices, interleaving cards, pausing `pauseMs` between appends. */
export const appendInterleaved = async (
  db: LedgerDatabase,
  cards: Map<string, EventToAppend[]>,
  perAppend: number,
  pauseMs = 0,
): Promise<bigint> => {
  let last = 0n;
  for (let round = 0; ; round++) {
    let appended = false;
    for (const [cardId, events] of cards) {
      const from = round * perAppend;
      if (from >= events.length) continue;
      const result = await db.store.appendToStream(
        `subscription-${cardId}`,
        events.slice(from, from + perAppend),
        from === 0 ? 'no_stream' : from - 1,
      );
      if (result.position > last) last = result.position;
      appended = true;
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
    if (!appended) return last;
  }
};
