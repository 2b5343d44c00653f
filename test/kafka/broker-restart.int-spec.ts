import { describeWithService, provisionPostgres } from '@ledger/testing';
import { cardHistories } from '../../libs/messaging/src/testing/card-history';
import { DedicatedBroker, describeWithDedicatedBroker } from './dedicated-broker';
import {
  LedgerDatabase,
  appendInterleaved,
  checkpointOf,
  kafkaFor,
  startPublisher,
  useLedgerDatabase,
  uniqueTopic,
  waitUntil,
} from './kafka-kit';
import { SampleConsumer } from './sample-consumer';

describeWithDedicatedBroker('publisher across a broker outage', (broker: () => DedicatedBroker) => {
  describeWithService('with the PostgreSQL event store', provisionPostgres, (pgUrl) => {
    const db = useLedgerDatabase(pgUrl);

    it('waits while the broker is down, never advancing its checkpoint, then catches up with nothing lost', async () => {
      const topic = uniqueTopic('outage');
      const name = `outage:${topic}`;
      const cards = cardHistories('outage', 3_000);
      const firstHalf = new Map([...cards].map(([id, events]) => [id, events.slice(0, Math.ceil(events.length / 2))]));
      await appendInterleaved(db(), firstHalf, 10);
      const publisher = await startPublisher(db(), broker().brokers, { topic, name, batchSize: 100 });
      try {
        await waitUntil(() => publisher.publisher.status().checkpoint > 0n, 'the publisher acknowledged a batch', 60_000);
        await broker().stop();
        const secondHalf = new Map([...cards].map(([id, events]) => [id, events.slice(Math.ceil(events.length / 2))]));
        const writing = appendSecondHalf(db(), secondHalf, firstHalf);
        await waitUntil(() => publisher.publisher.status().state === 'retrying', 'the publisher noticed the outage', 120_000);
        const held = await checkpointOf(db(), name);
        const attempt = publisher.publisher.status().lastError!.attempt;
        await waitUntil(
          () => (publisher.publisher.status().lastError?.attempt ?? 0) >= attempt + 2,
          'the publisher retried twice more',
          120_000,
        );
        expect(await checkpointOf(db(), name)).toBe(held);
        const last = await writing;
        expect(held < last).toBe(true);

        await broker().restart();
        await waitUntil(async () => (await checkpointOf(db(), name)) === last, 'the publisher caught up after the restart', 180_000);
        const consumer = await SampleConsumer.start(kafkaFor(broker().brokers), topic);
        try {
          const all = [...cards.values()].flat().map((e) => e.id);
          await waitUntil(() => consumer.events.length >= all.length, 'every event is on the topic', 60_000);
          expect(new Set(consumer.ids())).toEqual(new Set(all));
          expect(consumer.events).toHaveLength(all.length);
          expect(consumer.orderViolations).toEqual([]);
          expect(consumer.duplicates.filter((d) => !d.identical)).toEqual([]);
        } finally {
          await consumer.stop();
        }
      } finally {
        await publisher.stop();
      }
    }, 300_000);
  });
});

/** Continues each card's stream where the first half ended. */
const appendSecondHalf = async (db: LedgerDatabase, rest: Map<string, any[]>, before: Map<string, any[]>): Promise<bigint> => {
  let last = 0n;
  for (const [cardId, events] of rest) {
    if (events.length === 0) continue;
    const r = await db.store.appendToStream(`subscription-${cardId}`, events, before.get(cardId)!.length - 1);
    last = r.position > last ? r.position : last;
  }
  return last;
};
