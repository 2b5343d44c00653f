import { randomUUID } from 'node:crypto';
import { HEADER, PUBLISHED_EVENT_TYPES } from '@ledger/messaging';
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
        expect(new Set(consumer.events.map((m) => m.headers.ce_type)).size).toBe(PUBLISHED_EVENT_TYPES.length);
      } finally {
        await consumer.stop();
        await publisher.stop();
      }
    });

    it('publishes a PlanSelected stored in its first (v1) shape in the current shape, not to the dead-letter topic', async () => {
      const topic = uniqueTopic('upcast');
      const cardId = randomUUID();
      const stream = `subscription-${cardId}`;
      const meta = { commandId: 'c', correlationId: 'c', causationId: 'c', actor: 'test', idempotencyKey: 'k' };
      const opened = {
        subscriptionId: cardId,
        accountId: randomUUID(),
        iccid: '8949020000011112222',
        region: 'EU',
        openedAt: '2026-01-01T00:00:00.000Z',
      };
      const v1 = {
        renewalId: 'r1',
        planId: 'eu-daily-1gb',
        priceMinor: 299,
        currency: 'EUR',
        paymentMethod: 'card',
        requestHash: 'h',
        selectedAt: '2026-01-01T00:00:01.000Z',
      };
      // Below the port, as an older release wrote it: the schema check of today would refuse this shape.
      await db().stored.appendToStream(
        stream,
        [
          { id: randomUUID(), type: 'SubscriptionOpened', data: opened, metadata: meta },
          { id: randomUUID(), type: 'PlanSelected', data: v1, metadata: meta },
        ],
        'no_stream',
      );
      const publisher = await startPublisher(db(), brokers(), { topic, batchSize: 50 });
      const consumer = await SampleConsumer.start(kafkaFor(brokers()), topic);
      try {
        await waitUntil(
          () => consumer.events.some((m) => m.key === cardId && m.headers.ce_type === 'ledger.PlanSelected.v1'),
          'the v1 event on the topic',
          60_000,
        );
        const selected = consumer.events.find((m) => m.key === cardId && m.headers.ce_type === 'ledger.PlanSelected.v1')!;
        const value = JSON.parse(selected.value);
        expect(value).toMatchObject({
          renewalId: 'r1',
          region: 'EU',
          kind: 'daily',
          days: 1,
          price: { amountMinor: 299, currency: 'EUR' },
          discounts: [],
        });
        expect(new SchemaValidator().errors(selected.headers[HEADER.type], value)).toEqual([]);
        expect(publisher.publisher.status().deadLettered).toBe(0);
      } finally {
        await consumer.stop();
        await publisher.stop();
      }
    });
  });
});
