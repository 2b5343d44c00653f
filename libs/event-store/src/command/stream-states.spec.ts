import { randomUUID } from 'node:crypto';
import { MemoryEventStore } from '../memory/memory-event-store';
import { handleCommand, handleCommands } from './handle-command';
import { verifyChain } from '../audit/hash-chain';
import { SnapshotStore, StoredSnapshot } from './snapshots';
import { StreamStates } from './stream-states';

type Count = { n: number };
const counter = {
  initialState: (): Count => ({ n: 0 }),
  evolve: (s: Count, e: { type: string; data: unknown }): Count => ({ n: s.n + (e.data as { by: number }).by }),
  decide: (c: { by: number; atMost?: number }, s: Count) => {
    if (c.atMost !== undefined && s.n + c.by > c.atMost) throw new Error(`over ${c.atMost}`);
    return [{ type: 'Counted', data: { by: c.by } }];
  },
  snapshot: { version: 'count-1', toJSON: (s: Count) => s, fromJSON: (j: unknown) => j as Count },
};
const meta = () => ({ commandId: randomUUID(), correlationId: 'c', causationId: 'c', actor: 'test', idempotencyKey: randomUUID() });

class MapSnapshots implements SnapshotStore {
  readonly rows = new Map<string, StoredSnapshot>();
  async load(streamId: string): Promise<StoredSnapshot | null> {
    return this.rows.get(streamId) ?? null;
  }
  async save(streamId: string, _: string, s: StoredSnapshot): Promise<void> {
    this.rows.set(streamId, s);
  }
}

describe('StreamStates', () => {
  it('starts a cold process from the snapshot and reads only the events after it', async () => {
    const store = new MemoryEventStore();
    const snapshots = new MapSnapshots();
    const warm = new StreamStates(store, { snapshots, snapshotEvery: 10 });
    for (let i = 0; i < 25; i++) await handleCommand(warm, 's-1', counter, { by: 1 }, { metadata: meta() });
    await warm.flush();
    expect(snapshots.rows.get('s-1')?.revision).toBe(19);
    const reads = jest.spyOn(store, 'readStream');
    const cold = new StreamStates(store, { snapshots });
    const result = await handleCommand(cold, 's-1', counter, { by: 1 }, { metadata: meta() });
    expect(result.state.n).toBe(26);
    expect(reads).toHaveBeenCalledWith('s-1', { fromRevision: 20 });
    expect(await reads.mock.results[0].value).toHaveLength(5);
  });

  it('decides again when another process wrote since its cached state, losing no update', async () => {
    const store = new MemoryEventStore();
    const a = new StreamStates(store);
    const b = new StreamStates(store);
    await handleCommand(a, 's-2', counter, { by: 1 }, { metadata: meta() });
    await handleCommand(b, 's-2', counter, { by: 10 }, { metadata: meta() });
    const result = await handleCommand(a, 's-2', counter, { by: 100 }, { metadata: meta() });
    expect(result.state.n).toBe(111);
    expect((await store.readStream('s-2')).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('checks a refusal decided on a cached state against the store before answering it', async () => {
    const store = new MemoryEventStore();
    const a = new StreamStates(store);
    await handleCommand(a, 's-3', counter, { by: 5 }, { metadata: meta() });
    // Another writer took the count down below the limit; a's cached state still says 5.
    await store.appendToStream('s-3', [{ id: randomUUID(), type: 'Counted', data: { by: -5 }, metadata: meta() }], 0);
    const result = await handleCommand(a, 's-3', counter, { by: 3, atMost: 4 }, { metadata: meta() });
    expect(result.state.n).toBe(3);
  });

  it('decides many streams in one round, each answered on its own, a stale one after catching up', async () => {
    const store = new MemoryEventStore();
    const a = new StreamStates(store);
    const b = new StreamStates(store);
    await handleCommand(a, 'm-1', counter, { by: 1 }, { metadata: meta() });
    await handleCommand(a, 'm-2', counter, { by: 1 }, { metadata: meta() });
    await handleCommand(b, 'm-2', counter, { by: 10 }, { metadata: meta() }); // a's m-2 is stale now
    const item = (streamId: string, command: object) => ({ streamId, decider: counter as never, command, options: { metadata: meta() } });
    const outcomes = await handleCommands(a, [item('m-1', { by: 2 }), item('m-2', { by: 2 }), item('m-3', { by: 5, atMost: 4 })]);
    expect(outcomes.map((o) => (o.ok ? (o.result.state as Count).n : (o.error as Error).message))).toEqual([3, 13, 'over 4']);
    expect((await store.readStream('m-2')).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('takes a retry that another process already landed right after its cached revision for the replay it is, keeping the chain whole', async () => {
    const store = new MemoryEventStore();
    const a = new StreamStates(store);
    const b = new StreamStates(store);
    await handleCommand(a, 'r-1', counter, { by: 1 }, { metadata: meta() });
    await handleCommand(b, 'r-1', counter, { by: 0 }, { metadata: { ...meta(), idempotencyKey: 'warm-b' } }); // b caches revision 1
    const key = 'same-request';
    const first = await handleCommand(a, 'r-1', counter, { by: 5 }, { metadata: { ...meta(), idempotencyKey: key } });
    // The retry reaches b, whose cached revision is exactly one behind: its event id lands on the stored one.
    const retried = await handleCommand(b, 'r-1', counter, { by: 5 }, { metadata: { ...meta(), idempotencyKey: key } });
    expect(retried.appended.map((e) => [e.id, e.position])).toEqual(first.appended.map((e) => [e.id, e.position]));
    expect(retried.state.n).toBe(6);
    await handleCommand(b, 'r-1', counter, { by: 1 }, { metadata: meta() });
    const stream = await store.readStream('r-1');
    expect(verifyChain(stream).broken).toBeNull();
    expect(stream.map((e) => (e.data as { by: number }).by)).toEqual([1, 0, 5, 1]);
  });
});
