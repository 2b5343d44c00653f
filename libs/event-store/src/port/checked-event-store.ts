import {
  AllSubscription,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadStreamOptions,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
} from './event-store.port';

/** An event the store refused to write because a reader could not fold it. Nothing of the append was stored. */
export class EventSchemaError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventType: string,
    readonly reasons: readonly string[],
  ) {
    super(`refused to append ${eventType} to ${streamId}: ${reasons.join('; ')}`);
    this.name = 'EventSchemaError';
  }
}

export type EventCheck = (streamId: string, type: string, data: unknown) => string[];

/**
 * The append path every writer goes through: each event is checked against its schema before the
 * adapter sees it, so no adapter can store what a decider, projection or publisher cannot read.
 * Reads pass through untouched. `inner` is the unchecked store, for tests that must plant a bad event.
 */
export class CheckedEventStore implements EventStore {
  constructor(
    readonly inner: EventStore,
    private readonly check: EventCheck,
  ) {}

  async appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    for (const e of events) {
      const reasons = this.check(streamId, e.type, e.data);
      if (reasons.length) throw new EventSchemaError(streamId, e.type, reasons);
    }
    return this.inner.appendToStream(streamId, events, expectedRevision);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options?: SubscribeOptions): AllSubscription {
    return this.inner.subscribeToAll(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
