import { HEADER } from '@ledger/messaging';
import { describeWithService, provisionKafka, provisionPostgres } from '@ledger/testing';
import { cardHistories } from '../../libs/messaging/src/testing/card-history';
import { SchemaValidator } from '@ledger/messaging';
import { appendInterleaved, kafkaFor, startPublisher, useLedgerDatabase, uniqueTopic, waitUntil } from './kafka-kit';
import { SampleConsumer } from './sample-consumer';

describeWithService('publisher on Kafka', provisionKafka, (brokers) => {
  describeWithService('with the PostgreSQL event store', provisionPostgres, (pgUrl) => {
    const db = useLedgerDatabase(pgUrl);

    it('puts every appended card event on the topic as a CloudEvent keyed by card id, conforming to its schema', async () => {
      const topic = uniqueTopic('cloudevents');
      const cards = cardHistories('ce', 120);
      const last = await appendInterleaved(db(), cards, 5);
      const stored = await db().store.readAll({ limit: 1_000, unsettled: true });
      const publisher = await startPublisher(db(), brokers(), { topic, batchSize: 50 });
      const consumer = await SampleConsumer.start(kafkaFor(brokers()), topic);
      try {
        await waitUntil(() => consumer.events.length === stored.length, 'every stored event reached the topic', 60_000);
        expect(publisher.publisher.status().checkpoint).toBe(last);

        const byId = new Map(stored.map((e) => [e.id, e]));
        const validator = new SchemaValidator();
        for (const m of consumer.events) {
          const e = byId.get(m.id)!;
          const cardId = e.streamId.replace(/^subscription-/, '');
          expect(m.key).toBe(cardId);
          expect(m.headers).toMatchObject({
            ce_specversion: '1.0',
            ce_type: `ledger.${e.type}.v1`,
            ce_source: '/ledger/subscriptions',
            ce_subject: cardId,
            ce_time: e.recordedAt,
            'content-type': 'application/json',
            ledger_position: e.position.toString(),
            ledger_correlation_id: e.metadata.correlationId,
          });
          expect({ id: m.id, errors: validator.errors(m.headers[HEADER.type], JSON.parse(m.value)) }).toEqual({ id: m.id, errors: [] });
        }
        const partitionsPerCard = new Map<string, Set<number>>();
        for (const m of consumer.events) partitionsPerCard.set(m.key, (partitionsPerCard.get(m.key) ?? new Set()).add(m.partition));
        expect([...partitionsPerCard.values()].every((p) => p.size === 1)).toBe(true);
        expect(consumer.orderViolations).toEqual([]);
        expect(new Set(consumer.events.map((m) => m.headers.ce_type)).size).toBe(7);
      } finally {
        await consumer.stop();
        await publisher.stop();
      }
    });
  });
});
