import { DEAD_LETTER_TYPE, PUBLISHED_EVENT_TYPES, ceType } from '@ledger/messaging';
import { describeWithService, provisionKafka, provisionPostgres } from '@ledger/testing';
import { AsyncApiContract } from '../../libs/messaging/src/testing/asyncapi-contract';
import { cardHistories } from '../../libs/messaging/src/testing/card-history';
import { appendInterleaved, kafkaFor, startPublisher, useLedgerDatabase, uniqueTopic, waitUntil } from './kafka-kit';
import { SampleConsumer } from './sample-consumer';

describeWithService('libs/messaging/asyncapi.yaml against the publisher on Kafka', provisionKafka, (brokers) => {
  describeWithService('with the PostgreSQL event store', provisionPostgres, (pgUrl) => {
    const db = useLedgerDatabase(pgUrl);
    let contract: AsyncApiContract;
    beforeAll(async () => {
      const loaded = await AsyncApiContract.load();
      if (!loaded.contract) throw new Error(`libs/messaging/asyncapi.yaml does not parse: ${loaded.errors.join('; ')}`);
      contract = loaded.contract;
    }, 30_000);

    it('describes every record the publisher sends to the card-event and dead-letter topics', async () => {
      const topic = uniqueTopic('asyncapi');
      const cards = cardHistories('aa', 120);
      const [cardId, events] = [...cards][0];
      // One card's events were written under a trace: its records carry the trace headers.
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const [tracedCard, traced] = [...cards][1];
      cards.set(
        tracedCard,
        traced.map((e) => ({ ...e, metadata: { ...e.metadata, traceparent } })),
      );
      const meta = events[0].metadata;
      // Poison is stored below the port (its schema check refuses it), as an older release might have.
      const poison = [
        {
          id: '00000000-0000-4000-8000-0000000000c1',
          type: 'PaymentCaptured',
          data: { renewalId: 'r0', capturedAt: 'now' },
          metadata: meta,
        },
        { id: '00000000-0000-4000-8000-0000000000c2', type: 'CardTeleported', data: { to: 'mars' }, metadata: meta },
      ];
      const last = await appendInterleaved(db(), cards, 5);
      await db().stored.appendToStream(`subscription-${cardId}`, poison, events.length - 1);
      const cardEvents = [...cards.values()].flat().length;
      const publisher = await startPublisher(db(), brokers(), { topic, batchSize: 50 });
      const main = await SampleConsumer.start(kafkaFor(brokers()), topic);
      const dlq = await SampleConsumer.start(kafkaFor(brokers()), `${topic}.dlq`);
      try {
        await waitUntil(
          () => main.events.length === cardEvents && dlq.events.length === poison.length,
          'every card event on the topic, the poison in the DLQ',
          60_000,
        );
        await waitUntil(() => publisher.publisher.status().checkpoint > last, 'the checkpoint passed the poison events');
        const problems = [
          ...main.events.flatMap((m) => contract.problems('cardEvents', m).map((p) => `${m.id}: ${p}`)),
          ...dlq.events.flatMap((m) => contract.problems('deadLetters', m).map((p) => `${m.id}: ${p}`)),
        ];
        expect(problems).toEqual([]);
        const tracedRecords = main.events.filter((m) => m.key === tracedCard);
        expect(tracedRecords.length).toBeGreaterThan(0);
        expect(tracedRecords.every((m) => m.headers.traceparent === traceparent && m.headers.ce_traceparent === traceparent)).toBe(true);
        expect(new Set(main.events.map((m) => m.headers.ce_type))).toEqual(new Set(PUBLISHED_EVENT_TYPES.map((t) => ceType(t))));
        expect(new Set(dlq.events.map((m) => m.headers.ce_type))).toEqual(new Set([ceType(DEAD_LETTER_TYPE)]));
      } finally {
        await Promise.all([main.stop(), dlq.stop()]);
        await publisher.stop();
      }
    }, 90_000);
  });
});
