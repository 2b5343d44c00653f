import { subscriptionStreamId } from '@ledger/domain';
import { MemoryEventStore } from '@ledger/event-store';
import { cardHistory } from '../../../../libs/messaging/src/testing/card-history';
import { Publisher } from '../gateway/publisher';
import { PagedLagProbe } from '@ledger/event-store';
import { FakeProducer, MemoryCheckpoints, waitUntil } from '../testing/fakes';
import { HealthServer, startHealthServer } from './health-server';

describe('GET /health', () => {
  const store = new MemoryEventStore();
  const producer = new FakeProducer();
  const publisher = new Publisher(
    { store, producer, checkpoints: new MemoryCheckpoints(), lag: new PagedLagProbe(store) },
    { name: 'h', topic: 'cards', dlqTopic: 'cards.dlq', batchSize: 10, backoff: { baseMs: 1, maxMs: 5 } },
  );
  let server: HealthServer;
  const get = async (path = '/health') => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    await publisher.start();
    server = await startHealthServer(publisher, 0, '127.0.0.1', { name: 'h' });
  });

  afterAll(async () => {
    await publisher.stop();
    await server.close();
  });

  it('answers 200 with the checkpoint and a lag of zero once caught up', async () => {
    const events = cardHistory('h', { renewals: 1 });
    const { position } = await store.appendToStream(subscriptionStreamId('h'), events, 'no_stream');
    await waitUntil(() => publisher.status().checkpoint === position, 'caught up');
    expect(await get()).toMatchObject({
      status: 200,
      body: { status: 'up', name: 'h', checkpoint: String(position), lag: { events: 0, seconds: 0 } },
    });
  });

  it('answers 503 with the lag and the error while the broker is failing', async () => {
    producer.failNext(Number.MAX_SAFE_INTEGER);
    const more = cardHistory('h2', { renewals: 1 });
    await store.appendToStream(subscriptionStreamId('h2'), more, 'no_stream');
    await waitUntil(() => publisher.status().state === 'retrying', 'the publisher is retrying');
    const { status, body } = await get();
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: 'degraded',
      state: 'retrying',
      lag: { events: more.length },
      lastError: { message: 'broker unreachable' },
    });
    producer.failNext(0);
  });

  it('answers 404 elsewhere', async () => {
    expect((await get('/nothing')).status).toBe(404);
  });

  it('is live, ready while publishing, and serves its metrics', async () => {
    await waitUntil(() => publisher.status().state === 'running' && publisher.status().lastError === null, 'recovered');
    expect(await get('/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get('/health/ready')).toMatchObject({ status: 200, body: { status: 'ok', info: { publisher: { status: 'up' } } } });
    const metrics = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(/^ledger_consumer_events_total\{consumer="h"\} \d+$/m);
  });

  it('is not ready while retrying the broker', async () => {
    producer.failNext(Number.MAX_SAFE_INTEGER);
    await store.appendToStream(subscriptionStreamId('h3'), cardHistory('h3', { renewals: 1 }), 'no_stream');
    await waitUntil(() => publisher.status().state === 'retrying', 'the publisher is retrying');
    expect(await get('/health/ready')).toMatchObject({
      status: 503,
      body: { status: 'error', error: { publisher: { status: 'down', state: 'retrying' } } },
    });
    producer.failNext(0);
  });
});
