import { accountStreamId, subscriptionStreamId } from '@ledger/domain';
import { MemoryEventStore } from '@ledger/event-store';
import { cardHistory } from '../../../../libs/messaging/src/testing/card-history';
import { PagedLagProbe } from '@ledger/event-store';
import { FakeProducer, MemoryCheckpoints, waitUntil } from '../testing/fakes';
import { Publisher } from './publisher';

const options = { name: 'test', topic: 'cards', dlqTopic: 'cards.dlq', batchSize: 5, backoff: { baseMs: 1, maxMs: 5 } };

const setup = async (checkpoints = new MemoryCheckpoints()) => {
  const store = new MemoryEventStore();
  const producer = new FakeProducer();
  const publisher = new Publisher({ store, producer, checkpoints, lag: new PagedLagProbe(store) }, options);
  return { store, producer, checkpoints, publisher };
};

const card = (id: string) => ({ stream: subscriptionStreamId(id), events: cardHistory(id, { renewals: 2 }) });
const meta = cardHistory('x')[0].metadata;

describe('publisher gateway', () => {
  let running: Publisher[] = [];
  const started = async <T extends { publisher: Publisher }>(s: T): Promise<T> => {
    running.push(s.publisher);
    await s.publisher.start();
    return s;
  };
  afterEach(async () => {
    await Promise.all(running.map((p) => p.stop()));
    running = [];
  });

  it('publishes card events in log order, keyed by card id, then saves the last position', async () => {
    const { store, producer, checkpoints, publisher } = await started(await setup());
    const a = card('a');
    const b = card('b');
    await store.appendToStream(a.stream, a.events, 'no_stream');
    const last = (await store.appendToStream(b.stream, b.events, 'no_stream')).position;
    await waitUntil(() => publisher.status().checkpoint === last, 'the checkpoint reached the last event');
    expect(producer.messages('cards').map((m) => m.headers.ce_id)).toEqual([...a.events, ...b.events].map((e) => e.id));
    expect(producer.messages('cards').map((m) => m.key)).toEqual([...a.events.map(() => 'a'), ...b.events.map(() => 'b')]);
    expect(checkpoints.saves.at(-1)).toBe(last);
  });

  it('does not save the checkpoint until the broker acknowledged', async () => {
    const { store, producer, checkpoints, publisher } = await setup();
    producer.hold();
    await started({ publisher });
    const a = card('a');
    await store.appendToStream(a.stream, a.events.slice(0, 3), 'no_stream');
    await waitUntil(() => producer.attempts > 0, 'a send started');
    expect(checkpoints.saves).toEqual([]);
    producer.release();
    await waitUntil(() => checkpoints.saves.length > 0, 'the checkpoint was saved');
    expect(checkpoints.saves).toEqual([3n]);
  });

  it('retries a failed send with a fresh session and the same messages, holding the checkpoint', async () => {
    const { store, producer, checkpoints, publisher } = await setup();
    producer.failNext(3);
    await started({ publisher });
    const a = card('a');
    await store.appendToStream(a.stream, a.events.slice(0, 2), 'no_stream');
    await waitUntil(() => producer.acked.length === 1, 'the send succeeded');
    expect(producer.attempts).toBe(4);
    expect(producer.resets).toBe(3);
    expect(checkpoints.saves).toEqual([2n]);
    expect(producer.messages('cards').map((m) => m.headers.ce_id)).toEqual(a.events.slice(0, 2).map((e) => e.id));
    expect(publisher.status().lastError).toBeNull();
  });

  it('re-sends from the last saved checkpoint when a save fails, keeping first deliveries in order', async () => {
    const checkpoints = new MemoryCheckpoints();
    checkpoints.failSaves = 1;
    const { store, producer, publisher } = await started(await setup(checkpoints));
    const a = card('a');
    const { position } = await store.appendToStream(a.stream, a.events, 'no_stream');
    await waitUntil(() => publisher.status().checkpoint === position, 'the checkpoint reached the last event');
    const sent = producer.messages('cards').map((m) => m.headers.ce_id);
    expect(sent.length).toBeGreaterThan(a.events.length);
    expect([...new Set(sent)]).toEqual(a.events.map((e) => e.id));
    expect(checkpoints.saves).toEqual([...checkpoints.saves].sort((x, y) => Number(x - y)));
  });

  it('reports the failure while it retries', async () => {
    const { store, producer, publisher } = await started(await setup());
    producer.failNext(Number.MAX_SAFE_INTEGER);
    const a = card('a');
    await store.appendToStream(a.stream, a.events.slice(0, 1), 'no_stream');
    await waitUntil(() => publisher.status().state === 'retrying', 'the publisher reported the failure');
    expect(publisher.status()).toMatchObject({ checkpoint: 0n, lastError: { message: 'broker unreachable' } });
  });

  it('dead-letters a poison event and keeps publishing the events after it', async () => {
    const { store, producer, publisher } = await started(await setup());
    const a = card('a');
    await store.appendToStream(a.stream, a.events.slice(0, 2), 'no_stream');
    await store.appendToStream(
      a.stream,
      [{ id: '00000000-0000-4000-8000-00000000dead', type: 'PaymentCaptured', data: { renewalId: 'r' }, metadata: meta }],
      1,
    );
    const last = (await store.appendToStream(a.stream, a.events.slice(2, 4), 2)).position;
    await waitUntil(() => publisher.status().checkpoint === last, 'the checkpoint passed the poison event');
    expect(producer.messages('cards.dlq').map((m) => m.headers.ledger_dlq_code)).toEqual(['INVALID_DATA']);
    expect(producer.messages('cards')).toHaveLength(4);
    expect(publisher.status()).toMatchObject({ published: 4, deadLettered: 1 });
  });

  it('moves the checkpoint past account events without publishing them', async () => {
    const { store, producer, publisher } = await started(await setup());
    const registered = {
      id: '00000000-0000-4000-8000-0000000000ac',
      type: 'AccountRegistered',
      data: { accountId: 'acc' },
      metadata: meta,
    };
    const { position } = await store.appendToStream(accountStreamId('acc'), [registered], 'no_stream');
    await waitUntil(() => publisher.status().checkpoint === position, 'the checkpoint passed the account event');
    expect(producer.attempts).toBe(0);
    expect(publisher.status().dropped).toBe(1);
  });

  it('resumes after the saved checkpoint when started again', async () => {
    const checkpoints = new MemoryCheckpoints();
    const first = await setup(checkpoints);
    await started(first);
    const a = card('a');
    await first.store.appendToStream(a.stream, a.events.slice(0, 3), 'no_stream');
    await waitUntil(() => first.publisher.status().checkpoint === 3n, 'the first run published');
    await first.publisher.stop();
    await first.store.appendToStream(a.stream, a.events.slice(3, 5), 2);
    const producer = new FakeProducer();
    const second = new Publisher({ store: first.store, producer, checkpoints, lag: new PagedLagProbe(first.store) }, options);
    await started({ publisher: second });
    await waitUntil(() => second.status().checkpoint === 5n, 'the second run published');
    expect(producer.messages('cards').map((m) => m.headers.ce_id)).toEqual(a.events.slice(3, 5).map((e) => e.id));
  });

  it('measures its lag in events and seconds behind the store', async () => {
    const { store, producer, publisher } = await setup();
    producer.failNext(Number.MAX_SAFE_INTEGER);
    const a = card('a');
    await store.appendToStream(a.stream, a.events.slice(0, 4), 'no_stream');
    const lag = await publisher.lag();
    expect(lag.events).toBe(4);
    expect(lag.seconds).toBeGreaterThanOrEqual(0);
  });

  it('stops while retrying without saving a checkpoint', async () => {
    const { store, producer, checkpoints, publisher } = await setup();
    producer.failNext(Number.MAX_SAFE_INTEGER);
    await publisher.start();
    const a = card('a');
    await store.appendToStream(a.stream, a.events.slice(0, 2), 'no_stream');
    await waitUntil(() => producer.attempts >= 2, 'the publisher retried');
    await publisher.stop();
    expect(checkpoints.saves).toEqual([]);
    expect(publisher.status().state).toBe('stopped');
  });
});
