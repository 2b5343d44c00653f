import { describeWithService, provisionKafka, provisionPostgres } from '@ledger/testing';
import { openLedgerStorage } from '@ledger/read-models';
import { LedgerDatabase, kafkaFor, openLedgerDatabase, startPublisher, uniqueTopic, waitUntil } from '../kafka/kafka-kit';
import { SampleConsumer } from '../kafka/sample-consumer';
import { Harness, newCard, renewalBody, startHarness } from './ledger-harness';

/** Across apps: a renewal made through the API reaches Kafka through the publisher, as CloudEvents keyed by card. */
describeWithService('a renewal through the API, on Kafka', provisionKafka, (brokers) => {
  describeWithService('with the PostgreSQL event store', provisionPostgres, (pgUrl) => {
    let db: LedgerDatabase;
    let h: Harness;
    beforeAll(async () => {
      db = await openLedgerDatabase(pgUrl());
      h = await startHarness({ storage: await openLedgerStorage({ kind: 'postgres', eventStoreUrl: db.url, readModelUrl: db.url }) });
    });
    afterAll(async () => {
      await h?.close();
      await db?.close();
    });

    it('publishes the card events in order, keyed by the card id', async () => {
      const topic = uniqueTopic('api-renewal');
      const publisher = await startPublisher(db, brokers(), { topic, batchSize: 100 });
      const consumer = await SampleConsumer.start(kafkaFor(brokers()), topic);
      try {
        const { subscriptionId } = await newCard(h);
        const renewed = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), {
          'Idempotency-Key': 'to-kafka',
        });
        const started = Date.now();
        const mine = () => consumer.events.filter((m) => m.key === subscriptionId);
        await waitUntil(() => mine().length === 4, 'the four card events on the topic', 30_000);
        process.stdout.write(`[ledger] renewal → topic in ${Date.now() - started} ms\n`);
        expect(renewed.body.status).toBe('completed');
        expect(mine().map((m) => m.headers.ce_type)).toEqual(
          ['SubscriptionOpened', 'PlanSelected', 'PaymentCaptured', 'ValidityExtended'].map((t) => `ledger.${t}.v1`),
        );
        expect(mine().every((m) => m.headers.ce_subject === subscriptionId)).toBe(true);
        expect(mine().at(-1)!.headers.ledger_position).toBe(renewed.body.position);
        expect(consumer.orderViolations).toEqual([]);
      } finally {
        await consumer.stop();
        await publisher.stop();
      }
    });
  });
});
