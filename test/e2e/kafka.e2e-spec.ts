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

    it('puts a low-data reminder on the topic once, for a notification service', async () => {
      const topic = uniqueTopic('api-reminder');
      const publisher = await startPublisher(db, brokers(), { topic, batchSize: 100 });
      const consumer = await SampleConsumer.start(kafkaFor(brokers()), topic);
      try {
        const { subscriptionId } = await newCard(h);
        await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'to-kafka-low' });
        const usage = { authorization: `Bearer ${await h.usageToken()}` };
        for (const [usageId, mb] of [
          ['k-1', 9_800],
          ['k-2', 100],
          ['k-3', 50],
        ] as const)
          expect((await h.raw('POST', `/v1/subscriptions/${subscriptionId}/usage`, { usageId, mb }, usage)).status).toBe(201);
        const mine = () => consumer.events.filter((m) => m.key === subscriptionId);
        const reminders = () => mine().filter((m) => m.headers.ce_type === 'ledger.RenewalReminderDue.v1');
        await waitUntil(() => reminders().length === 1 && mine().length >= 8, 'the reminder and the usage on the topic', 30_000);
        // The last usage is on the topic after the reminder was written: nothing else is coming for it.
        await waitUntil(
          () => mine().some((m) => m.headers.ce_type === 'ledger.DataUsageRecorded.v1' && JSON.parse(String(m.value)).usageId === 'k-3'),
          'the last usage',
          30_000,
        );
        await new Promise((r) => setTimeout(r, 1500));
        expect(reminders()).toHaveLength(1);
        expect(JSON.parse(String(reminders()[0].value))).toMatchObject({
          subscriptionId,
          reason: 'low_data',
          reminderId: expect.stringMatching(/^low_data:/),
        });
      } finally {
        await consumer.stop();
        await publisher.stop();
      }
    });
  });
});
