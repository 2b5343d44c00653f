import { subscriptionStreamId } from '@ledger/domain';
import { EsdbEventStore } from '@ledger/event-store';
import { EsdbTestServer } from '@ledger/testing';
import { cardHistory } from '../../../../libs/messaging/src/testing/card-history';
import { PagedLagProbe } from '@ledger/event-store';
import { FakeProducer, MemoryCheckpoints, waitUntil } from '../testing/fakes';
import { Publisher } from './publisher';

describe('publisher gateway on the EventStoreDB adapter', () => {
  let server: EsdbTestServer;
  let store: EsdbEventStore;

  beforeAll(async () => {
    server = await EsdbTestServer.start();
    store = EsdbEventStore.connect(server.url);
  });

  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('publishes from its own $all subscription and resumes from the checkpoint', async () => {
    const a = cardHistory('esdb-a', { renewals: 2 });
    const b = cardHistory('esdb-b', { renewals: 2 });
    await store.appendToStream(subscriptionStreamId('esdb-a'), a, 'no_stream');
    const checkpoints = new MemoryCheckpoints();
    const options = { name: 'esdb', topic: 'cards', dlqTopic: 'cards.dlq', batchSize: 7, backoff: { baseMs: 1, maxMs: 5 } };
    const first = new FakeProducer();
    const publisher = new Publisher({ store, producer: first, checkpoints, lag: new PagedLagProbe(store) }, options);
    await publisher.start();
    await waitUntil(() => first.messages('cards').length === a.length, 'the first card was published');
    await publisher.stop();

    await store.appendToStream(subscriptionStreamId('esdb-b'), b, 'no_stream');
    const second = new FakeProducer();
    const resumed = new Publisher({ store, producer: second, checkpoints, lag: new PagedLagProbe(store) }, options);
    await resumed.start();
    try {
      await waitUntil(() => second.messages('cards').length === b.length, 'the second card was published');
      expect(first.messages('cards').map((m) => m.headers.ce_id)).toEqual(a.map((e) => e.id));
      expect(second.messages('cards').map((m) => m.headers.ce_id)).toEqual(b.map((e) => e.id));
      await waitUntil(async () => (await resumed.lag()).events === 0, 'the lag is zero');
    } finally {
      await resumed.stop();
    }
  });
});
