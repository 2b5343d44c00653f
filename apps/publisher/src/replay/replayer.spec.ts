import { accountStreamId, subscriptionStreamId } from '@ledger/domain';
import { MemoryEventStore } from '@ledger/event-store';
import { cardHistory } from '../../../../libs/messaging/src/testing/card-history';
import { FakeProducer } from '../testing/fakes';
import { replay } from './replayer';

const events = cardHistory('r', { renewals: 2 });

const seeded = async () => {
  const store = new MemoryEventStore();
  await store.appendToStream(subscriptionStreamId('r'), events.slice(0, 4), 'no_stream');
  await store.appendToStream(
    accountStreamId('acc'),
    [{ ...events[0], id: '00000000-0000-4000-8000-0000000000ac', type: 'AccountRegistered' }],
    'no_stream',
  );
  await store.appendToStream(subscriptionStreamId('r'), [{ ...events[4], id: '00000000-0000-4000-8000-00000000dead', data: {} }], 3);
  await store.appendToStream(subscriptionStreamId('r'), events.slice(5, 8), 4);
  return store;
};

const ids = (p: FakeProducer) => p.messages('replay').map((m) => m.headers.ce_id);

describe('replay', () => {
  it('republishes from a position, inclusive, to the chosen topic', async () => {
    const producer = new FakeProducer();
    const result = await replay(await seeded(), producer, { topic: 'replay', start: { fromPosition: 3n }, batchSize: 2 });
    expect(ids(producer)).toEqual([events[2], events[3], ...events.slice(5, 8)].map((e) => e.id));
    expect(result).toMatchObject({ published: 5, skipped: 1, firstPosition: '3', lastPosition: '9' });
  });

  it('reports the events the mapping refuses instead of sending them', async () => {
    const result = await replay(await seeded(), new FakeProducer(), { topic: 'replay', start: { fromPosition: 0n }, batchSize: 100 });
    expect(result.poison.map((p) => p.id)).toEqual(['00000000-0000-4000-8000-00000000dead']);
  });

  it('stops at the last position asked for', async () => {
    const producer = new FakeProducer();
    await replay(await seeded(), producer, { topic: 'replay', start: { fromPosition: 1n }, toPosition: 2n, batchSize: 100 });
    expect(ids(producer)).toEqual(events.slice(0, 2).map((e) => e.id));
  });

  it('starts at the first event recorded at or after a time', async () => {
    const store = await seeded();
    const all = await store.readAll({ limit: 100 });
    const producer = new FakeProducer();
    await replay(store, producer, { topic: 'replay', start: { fromTime: all[0].recordedAt }, batchSize: 3 });
    expect(ids(producer)).toHaveLength(7);
    const none = new FakeProducer();
    await replay(store, none, { topic: 'replay', start: { fromTime: '2999-01-01T00:00:00.000Z' }, batchSize: 3 });
    expect(ids(none)).toEqual([]);
  });
});
