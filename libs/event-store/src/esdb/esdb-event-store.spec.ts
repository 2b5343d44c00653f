import { EsdbTestServer } from '@ledger/testing';
import { anEvent, events, streamName } from '../contract/contract-fixtures';
import { SubscriptionProbe } from '../contract/subscription-probe';
import { EsdbEventStore } from './esdb-event-store';
import { runEsdbContract } from './esdb-contract';
import { isTransient } from './esdb-mapping';

/** Short backoff so a restarted server is found again within a test's patience. */
const quickReconnect = { subscription: { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } } as const;

runEsdbContract('EventStoreDB adapter on the in-process test server', async () => {
  const server = await EsdbTestServer.start();
  let store = EsdbEventStore.connect(server.url);
  return {
    store,
    restart: async () => {
      await store.close();
      store = EsdbEventStore.connect(server.url);
      return store;
    },
    cleanup: async () => {
      await store.close();
      await server.stop();
    },
  };
});

describe('EsdbEventStore against a server that goes away', () => {
  let server: EsdbTestServer;
  let store: EsdbEventStore;
  let probe: SubscriptionProbe | undefined;

  beforeEach(async () => {
    server = await EsdbTestServer.start();
  });

  afterEach(async () => {
    await probe?.close().catch(() => undefined);
    probe = undefined;
    await store?.close();
    await server.stop();
  });

  it('resubscribes after a restart from the last event it received: every event once, in order', async () => {
    const reconnects: unknown[] = [];
    store = EsdbEventStore.connect(server.url, {
      subscription: { reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, onReconnect: (_, __, error) => reconnects.push(error) },
    });
    const stream = streamName('fault');
    const before = events(3);
    await store.appendToStream(stream, before, 'no_stream');
    probe = new SubscriptionProbe(store.subscribeToAll({ filter: { streamPrefixes: ['fault-'] } }));
    await probe.waitFor(before[2].id);

    await server.stop();
    const meanwhile = anEvent();
    // Written while this client is cut off, as another node of a cluster would have.
    server.log.append(stream, 2n, [
      { id: meanwhile.id, type: meanwhile.type, isJson: true, data: Buffer.from('{}'), metadata: Buffer.from('{}') },
    ]);
    await server.start();

    const after = events(2);
    await store.appendToStream(stream, after, 3);
    await probe.waitFor(after[1].id);
    expect(probe.ids()).toEqual([...before.map((e) => e.id), meanwhile.id, ...after.map((e) => e.id)]);
    expect(reconnects.length).toBeGreaterThan(0);
  });

  it('answers appends again once the server is back, without a new store', async () => {
    store = EsdbEventStore.connect(server.url, quickReconnect);
    const stream = streamName('back');
    await store.appendToStream(stream, events(1), 'no_stream');
    await server.stop();
    const refused = await store.appendToStream(stream, events(1), 0).catch((err: unknown) => err);
    expect(isTransient(refused)).toBe(true);
    await server.start();
    await expect(store.appendToStream(stream, events(1), 0)).resolves.toMatchObject({ nextExpectedRevision: 1 });
  });

  it('ends its iteration with the error once the server stays away longer than its retries', async () => {
    store = EsdbEventStore.connect(server.url, { subscription: { reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } } });
    const first = anEvent();
    await store.appendToStream(streamName('gone'), [first], 'no_stream');
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: [expect.objectContaining({ id: first.id })] });
    await server.stop();
    await expect(iterator.next()).rejects.toMatchObject({ code: 14 });
  });
});

describe('EsdbEventStore batching', () => {
  it('groups what arrives together up to the batch size, and flushes the rest when the server says it caught up', async () => {
    const server = await EsdbTestServer.start();
    // No idle flush within the test's patience: only the batch size and caught_up can end a batch.
    const store = EsdbEventStore.connect(server.url, { subscription: { idleFlushMs: 60_000, maxWaitMs: 60_000 } });
    try {
      const written = events(45);
      await store.appendToStream(streamName('batch'), written, 'no_stream');
      const batches: string[][] = [];
      for await (const batch of store.subscribeToAll({ maxBatchSize: 20 })) {
        batches.push(batch.map((e) => e.id));
        if (batches.flat().length === written.length) break;
      }
      expect(batches.map((b) => b.length)).toEqual([20, 20, 5]);
      expect(batches.flat()).toEqual(written.map((e) => e.id));
    } finally {
      await store.close();
      await server.stop();
    }
  });
});
