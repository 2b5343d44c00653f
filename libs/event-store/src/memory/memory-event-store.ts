import {
  AllSubscription,
  AppendResult,
  ConcurrencyError,
  DuplicateEventIdError,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadStreamOptions,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  matchesFilter,
} from '../port/event-store.port';
import { LocalWakeup, pollingSubscription } from '../port/polling-subscription';
import { checkExpected, idempotentReplay } from '../port/append-rules';

/** For unit tests and the in-process test doubles; keeps everything in one array. */
export class MemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly ids = new Set<string>();
  private readonly wakeup = new LocalWakeup();

  async appendToStream(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const replay = idempotentReplay(stream, events, (id) => this.ids.has(id));
    if (replay) return replay;
    checkExpected(streamId, expected, stream.length - 1);
    if (events.length === 0) {
      return { nextExpectedRevision: stream.length - 1, position: this.log.at(-1)?.position ?? 0n, events: [] };
    }
    const recordedAt = new Date().toISOString();
    for (const e of events) {
      const recorded: RecordedEvent = { ...e, streamId, revision: stream.length, position: BigInt(this.log.length + 1), recordedAt };
      stream.push(recorded);
      this.log.push(recorded);
      this.ids.add(e.id);
    }
    this.streams.set(streamId, stream);
    this.wakeup.notify();
    const written = stream.slice(-events.length).map(({ id, revision, position }) => ({ id, revision, position }));
    return { nextExpectedRevision: stream.length - 1, position: stream[stream.length - 1].position, events: written };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return (this.streams.get(streamId) ?? []).slice(options.fromRevision ?? 0);
  }

  async readEvents(ids: readonly string[]): Promise<RecordedEvent[]> {
    const wanted = new Set(ids);
    return this.log.filter((e) => wanted.has(e.id));
  }

  async readAll({ fromPosition, filter, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    const start = fromPosition === undefined ? 0 : Number(fromPosition);
    return this.log
      .slice(start)
      .filter((e) => matchesFilter(e, filter))
      .slice(0, limit);
  }

  subscribeToAll(options: SubscribeOptions = {}): AllSubscription {
    return pollingSubscription((o) => this.readAll(o), options, this.wakeup, 50);
  }

  async close(): Promise<void> {
    this.wakeup.notify();
  }
}

export { ConcurrencyError, DuplicateEventIdError };
