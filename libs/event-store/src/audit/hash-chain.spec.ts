import { MemoryEventStore } from '../memory/memory-event-store';
import { RecordedEvent } from '../port/event-store.port';
import { handleCommand } from '../command/handle-command';
import { verifyChain } from './hash-chain';
import { verifyAll } from './verify-store';
import { canonicalJson } from './canonical-json';

/** A counter "decider": each command appends its `n` events. */
const counter = {
  initialState: () => 0,
  evolve: (s: number) => s + 1,
  decide: (c: { n: number }) => Array.from({ length: c.n }, (_, i) => ({ type: 'Counted', data: { i, nested: { b: 2, a: [1, 'x'] } } })),
};
const meta = (key: string) => ({ commandId: key, correlationId: 'c', causationId: key, actor: 'test', idempotencyKey: key });

const history = async (): Promise<{ store: MemoryEventStore; events: RecordedEvent[] }> => {
  const store = new MemoryEventStore();
  for (const [i, n] of [2, 1, 3].entries()) await handleCommand(store, 'card-1', counter, { n }, { metadata: meta(`k${i}`) });
  await handleCommand(store, 'card-2', counter, { n: 2 }, { metadata: meta('other') });
  return { store, events: await store.readStream('card-1') };
};

describe('hash chain over each stream', () => {
  it('links every appended event and verifies', async () => {
    const { store, events } = await history();
    expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.metadata.hashLink as string))).toBe(true);
    expect(verifyChain(events).broken).toBeNull();
    expect(await verifyAll(store)).toMatchObject({ streams: 2, events: 8, broken: [] });
  });

  it('names the first altered event', async () => {
    const { events } = await history();
    const altered = events.map((e) => (e.revision === 3 ? { ...e, data: { ...(e.data as object), i: 99 } } : e));
    expect(verifyChain(altered).broken).toMatchObject({ streamId: 'card-1', revision: 3 });
  });

  it('detects altered metadata, a removed event and a reordering', async () => {
    const { events } = await history();
    const actor = events.map((e) => (e.revision === 1 ? { ...e, metadata: { ...e.metadata, actor: 'mallory' } } : e));
    expect(verifyChain(actor).broken?.revision).toBe(1);
    expect(verifyChain(events.filter((e) => e.revision !== 2)).broken?.revision).toBe(3);
    const swapped = [events[0], events[2], events[1], ...events.slice(3)];
    expect(verifyChain(swapped).broken?.revision).toBe(2);
  });

  it('does not depend on key order, as JSONB stores it', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":0,"z":1}]},"b":1}');
  });
});
