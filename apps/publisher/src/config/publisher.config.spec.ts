import { loadPublisherConfig } from './publisher.config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://u@h/db' };

describe('publisher configuration', () => {
  it('defaults to the v1 topic with 6 partitions, a .dlq topic and port 3001', () => {
    const c = loadPublisherConfig(base);
    expect(c).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      topic: { topic: 'ledger.subscriptions.v1', partitions: 6, replicationFactor: -1 },
      dlq: { topic: 'ledger.subscriptions.v1.dlq', partitions: 1 },
      name: 'publisher:ledger.subscriptions.v1',
      port: 3001,
      batchSize: 2000,
    });
  });

  it('takes topics, partitions and port from the environment', () => {
    const c = loadPublisherConfig({
      ...base,
      KAFKA_TOPIC: 'cards',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_DLQ_TOPIC: 'cards-dead',
      PUBLISHER_PORT: '0',
    });
    expect(c).toMatchObject({ topic: { topic: 'cards', partitions: 12 }, dlq: { topic: 'cards-dead' }, name: 'publisher:cards', port: 0 });
  });

  it.each([
    [{ KAFKA_BROKERS: '' }, 'KAFKA_BROKERS'],
    [{ KAFKA_TOPIC_PARTITIONS: '0' }, 'KAFKA_TOPIC_PARTITIONS'],
    [{ KAFKA_TOPIC: 'no spaces' }, 'KAFKA_TOPIC'],
    [{ KAFKA_REPLICATION_FACTOR: '0' }, 'KAFKA_REPLICATION_FACTOR'],
    [{ PUBLISHER_PORT: 'http' }, 'PUBLISHER_PORT'],
  ])('refuses %j, naming %s', (override, variable) => {
    expect(() => loadPublisherConfig({ ...base, ...override })).toThrow(`invalid configuration: ${variable}`);
  });
});
