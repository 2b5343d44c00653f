import { LedgerProducer } from '@ledger/messaging';
import { describeWithService, provisionKafka } from '@ledger/testing';
import { createTopics, kafkaFor, uniqueTopic, waitUntil } from './kafka-kit';
import { SampleConsumer } from './sample-consumer';

describeWithService('Kafka round trip', provisionKafka, (brokers) => {
  it('delivers what the idempotent acks=all producer sent: keys, values, headers, order per key', async () => {
    const topic = uniqueTopic('roundtrip');
    await createTopics(brokers(), topic);
    const producer = new LedgerProducer({ brokers: [brokers()], clientId: 'roundtrip', maxRequestBytes: 20_000 });
    const messages = Array.from({ length: 300 }, (_, i) => ({
      key: `card-${i % 7}`,
      value: JSON.stringify({ n: i, pad: 'x'.repeat(100) }),
      headers: { ce_id: `id-${i}`, ledger_position: String(i + 1), ce_type: 'ledger.Test.v1' },
    }));
    await producer.send([{ topic, messages }]);
    await producer.close();

    const consumer = await SampleConsumer.start(kafkaFor(brokers()), topic);
    try {
      await waitUntil(() => consumer.events.length === messages.length, 'every message came back', 30_000);
      expect([...consumer.events].sort((a, b) => Number(a.position - b.position)).map((e) => [e.key, e.value, e.headers])).toEqual(
        messages.map((m) => [m.key, m.value, m.headers]),
      );
      expect(consumer.orderViolations).toEqual([]);
      expect(consumer.duplicates).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });
});
