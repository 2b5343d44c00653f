import { EventStore, RecordedEvent } from '../port/event-store.port';
import { Folded, SnapshotPolicy, SnapshotStore, emptyFolded } from './snapshots';

export interface FoldingDecider<S> {
  initialState(): S;
  evolve(state: S, event: { type: string; data: unknown }): S;
  /** Deciders with a policy get persisted snapshots; others are only cached in the process. */
  readonly snapshot?: SnapshotPolicy<S>;
}

export interface StreamStatesOptions {
  readonly snapshots?: SnapshotStore;
  /** Streams whose folded state stays in memory (least recently used go first). 0 turns the cache off. */
  readonly maxStreams?: number;
  /** A snapshot is written when a stream crosses a multiple of this many events. */
  readonly snapshotEvery?: number;
  /** Where a failed snapshot write is reported; it never fails the command that triggered it. */
  readonly warn?: (message: string) => void;
}

interface Entry {
  readonly decider: FoldingDecider<unknown>;
  readonly folded: Folded<unknown>;
}

export const foldOnto = <S>(decider: FoldingDecider<S>, from: Folded<S>, events: readonly RecordedEvent[]): Folded<S> => {
  if (events.length === 0) return from;
  let state = from.state;
  for (const e of events) state = decider.evolve(state, { type: e.type, data: e.data });
  const last = events[events.length - 1];
  return { state, revision: last.revision, link: (last.metadata.hashLink as string | undefined) ?? from.link, position: last.position };
};

/**
 * A command's starting point without folding the whole stream: the state of each recently used
 * stream is kept in memory at its revision, and a snapshot every N events lets a cold process start
 * near the head. Only the events after the known revision are read. Several processes stay safe:
 * an append still carries the revision it decided on, so a stale state ends in a conflict, never in
 * a wrong write.
 */
export class StreamStates {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Set<Promise<void>>();
  readonly maxStreams: number;
  readonly snapshotEvery: number;

  constructor(
    readonly store: EventStore,
    private readonly options: StreamStatesOptions = {},
  ) {
    this.maxStreams = options.maxStreams ?? 5_000;
    this.snapshotEvery = Math.max(1, options.snapshotEvery ?? 32);
  }

  /** The cached state, possibly behind the store (another process may have written): `fresh` says which. */
  async load<S>(streamId: string, decider: FoldingDecider<S>): Promise<{ folded: Folded<S>; fresh: boolean }> {
    const hit = this.cache.get(streamId);
    // The same fold (evolve) is the same state, whichever decide a caller wraps around it.
    if (hit && hit.decider.evolve === decider.evolve) {
      this.cache.delete(streamId);
      this.cache.set(streamId, hit);
      return { folded: hit.folded as Folded<S>, fresh: false };
    }
    const start = (await this.fromSnapshot(streamId, decider)) ?? emptyFolded(decider.initialState());
    const folded = await this.catchUp(streamId, decider, start);
    return { folded, fresh: true };
  }

  /** The state as the store has it now: memory or snapshot, then the events after it. */
  async current<S>(streamId: string, decider: FoldingDecider<S>): Promise<Folded<S>> {
    const { folded, fresh } = await this.load(streamId, decider);
    return fresh ? folded : this.catchUp(streamId, decider, folded);
  }

  /** Reads and folds what was appended after `from`; remembers the result. */
  async catchUp<S>(streamId: string, decider: FoldingDecider<S>, from: Folded<S>): Promise<Folded<S>> {
    const tail = await this.store.readStream(streamId, { fromRevision: from.revision + 1 });
    const folded = foldOnto(decider, from, tail);
    this.remember(streamId, decider, folded, from.revision);
    return folded;
  }

  remember<S>(streamId: string, decider: FoldingDecider<S>, folded: Folded<S>, previousRevision: number): void {
    if (this.maxStreams > 0) {
      this.cache.delete(streamId);
      this.cache.set(streamId, { decider: decider as FoldingDecider<unknown>, folded });
      if (this.cache.size > this.maxStreams) this.cache.delete(this.cache.keys().next().value as string);
    }
    const every = this.snapshotEvery;
    if (
      decider.snapshot &&
      this.options.snapshots &&
      Math.floor((folded.revision + 1) / every) > Math.floor((previousRevision + 1) / every)
    ) {
      this.saveSnapshot(streamId, decider.snapshot, folded);
    }
  }

  forget(streamId: string): void {
    this.cache.delete(streamId);
  }

  /** Waits for snapshot writes under way (before closing the store). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async fromSnapshot<S>(streamId: string, decider: FoldingDecider<S>): Promise<Folded<S> | null> {
    const policy = decider.snapshot;
    if (!policy || !this.options.snapshots) return null;
    const stored = await this.options.snapshots.load(streamId, policy.version);
    return stored && { state: policy.fromJSON(stored.state), revision: stored.revision, link: stored.link, position: stored.position };
  }

  private saveSnapshot<S>(streamId: string, policy: SnapshotPolicy<S>, folded: Folded<S>): void {
    const write = this.options
      .snapshots!.save(streamId, policy.version, { ...folded, state: policy.toJSON(folded.state) })
      .catch((err: unknown) => {
        const warn = this.options.warn ?? ((m: string) => process.emitWarning(m));
        warn(`snapshot of ${streamId} at revision ${folded.revision} not written: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }
}
