import { HEADER } from '@ledger/messaging';
import { describeWithService, provisionKafka, provisionPostgres } from '@ledger/testing';
import { cardHistory } from '../../libs/messaging/src/testing/card-history';
import { SchemaValidator } from '@ledger/messaging';
import { kafkaFor, startPublisher, useLedgerDatabase, uniqueTopic, waitUntil } from './kafka-kit';
import { SampleConsumer } from './sample-consumer';

describeWithService('publisher dead-letter topic', provisionKafka, (brokers) => {
  describeWithService('with the PostgreSQL event store', provisionPostgres, (pgUrl) => {
    const db = useLedgerDatabase(pgUrl);

    it('sends a poison event to the DLQ with its reason and keeps the rest flowing', async () => {
      const topic = uniqueTopic('poison');
      const good = cardHistory('dlq-a', { renewals: 2 });
      const other = cardHistory('dlq-b', { renewals: 2 });
      const meta = good[0].metadata;
      const broken = {
        id: '00000000-0000-4000-8000-0000000000b1',
        type: 'PaymentCaptured',
        data: { renewalId: 'dlq-a-r0', capturedAt: 'now' },
        metadata: meta,
      };
      const unknown = { id: '00000000-0000-4000-8000-0000000000b2', type: 'CardTeleported', data: { to: 'mars' }, metadata: meta };
      // Poison can only be stored below the port (its schema check refuses it): as an older release might have.
      await db().stored.appendToStream('subscription-dlq-a', good.slice(0, 5), 'no_stream');
      await db().stored.appendToStream('subscription-dlq-a', [broken], 4);
      await db().stored.appendToStream('subscription-dlq-b', [...other.slice(0, 3), unknown, ...other.slice(3)], 'no_stream');
      const { position: last } = await db().stored.appendToStream('subscription-dlq-a', good.slice(5), 5);

      const publisher = await startPublisher(db(), brokers(), { topic, batchSize: 4 });
      const main = await SampleConsumer.start(kafkaFor(brokers()), topic);
      const dlq = await SampleConsumer.start(kafkaFor(brokers()), `${topic}.dlq`);
      try {
        const expected = [...good, ...other].map((e) => e.id);
        await waitUntil(
          () => main.events.length === expected.length && dlq.events.length === 2,
          'good events on the topic, poison in the DLQ',
          60_000,
        );
        expect(new Set(main.ids())).toEqual(new Set(expected));
        expect(main.orderViolations).toEqual([]);
        expect(dlq.events.map((e) => [e.id, e.key, e.headers[HEADER.dlqCode], e.headers[HEADER.originalType]])).toEqual(
          expect.arrayContaining([
            [broken.id, 'dlq-a', 'INVALID_DATA', 'PaymentCaptured'],
            [unknown.id, 'dlq-b', 'UNKNOWN_EVENT_TYPE', 'CardTeleported'],
          ]),
        );
        expect(dlq.events.find((e) => e.id === broken.id)!.headers[HEADER.dlqReason]).toMatch(/data\.paymentId/);
        const validator = new SchemaValidator();
        for (const e of dlq.events) expect(validator.errors(e.headers[HEADER.type], JSON.parse(e.value))).toEqual([]);
        await waitUntil(() => publisher.publisher.status().checkpoint === last, 'the checkpoint passed the poison events');
        expect(publisher.publisher.status()).toMatchObject({ deadLettered: 2, published: expected.length });
      } finally {
        await Promise.all([main.stop(), dlq.stop()]);
        await publisher.stop();
      }
    });
  });
});
