/** Who did what and why: carried by every event, shown to auditors as is. */
export interface EventMetadata {
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: string;
  readonly idempotencyKey: string;
  /** W3C trace context of the command that wrote the event (absent when it was not traced). */
  readonly traceparent?: string;
  readonly [key: string]: unknown;
}

export interface EventToAppend {
  /** Deterministic (derived from the command's idempotency key) so that a retried append deduplicates. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent extends EventToAppend {
  readonly streamId: string;
  /** 0-based position of the event inside its stream. */
  readonly revision: number;
  /** Position in the store's global log; only its order is meaningful, never its value. */
  readonly position: bigint;
  readonly recordedAt: string;
}

/** `no_stream`: the stream must not exist; a number: the stream's last revision must be exactly it. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** Where one appended event landed. */
export interface AppendedEvent {
  readonly id: string;
  readonly revision: number;
  readonly position: bigint;
}

export interface AppendResult {
  readonly nextExpectedRevision: number;
  readonly position: bigint;
  /** Every event of the append in order, as stored: a retried append answers the original places. */
  readonly events: readonly AppendedEvent[];
  /** Set when nothing was written because these very events were already stored (a retried append). */
  readonly replayed?: true;
}

export interface ReadStreamOptions {
  /** Inclusive: the first revision returned. Omitted: from the stream's start. */
  readonly fromRevision?: number;
}

export interface AllFilter {
  readonly streamPrefixes?: readonly string[];
  readonly eventTypes?: readonly string[];
}

export interface SubscribeOptions {
  /** Exclusive: the first event delivered is the one after this position. Omitted: from the start. */
  readonly fromPosition?: bigint;
  readonly filter?: AllFilter;
  readonly maxBatchSize?: number;
}

/** A live catch-up subscription: batches in global order; iteration ends after `close()`. */
export interface AllSubscription extends AsyncIterable<readonly RecordedEvent[]> {
  close(): Promise<void>;
}

/** One stream's part of a multi-stream append. */
export interface StreamWrite {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedRevision;
}

export type ReadAllOptions = SubscribeOptions & { readonly limit: number; readonly unsettled?: boolean };

export interface EventStore {
  appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /**
   * Several streams at once, each answered on its own (its result, or the error its own append would
   * have raised). Stores that can do it in one round trip implement it; `appendToStreams` below
   * falls back to one append per stream.
   */
  appendToStreams?(writes: readonly StreamWrite[]): Promise<(AppendResult | Error)[]>;
  /** Events by id, wherever they are, in log order; for stores with a log-wide id index (not EventStoreDB). */
  readEvents?(ids: readonly string[]): Promise<RecordedEvent[]>;
  /** A stream that does not exist reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * One page of the global log after `fromPosition` (exclusive), in order, and gap-free: a consumer
   * may checkpoint at its last event. `unsettled: true` also answers events committed while an older
   * transaction is still open (PostgreSQL only; other stores are always settled): complete for an
   * existence check or a count, but an event may still commit below them, so never checkpoint on it.
   */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): AllSubscription;
  close(): Promise<void>;
}

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'ConcurrencyError';
  }
}

/** An event id that already exists elsewhere than the same append being retried. */
export class DuplicateEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`event id ${eventId} already exists in a different position`);
    this.name = 'DuplicateEventIdError';
  }
}

export const matchesFilter = (e: Pick<RecordedEvent, 'streamId' | 'type'>, filter?: AllFilter): boolean =>
  (!filter?.streamPrefixes || filter.streamPrefixes.some((p) => e.streamId.startsWith(p))) &&
  (!filter?.eventTypes || filter.eventTypes.includes(e.type));

/** Multi-stream append on any store: in one round trip where the adapter can, else stream by stream. */
export const appendToStreams = (store: EventStore, writes: readonly StreamWrite[]): Promise<(AppendResult | Error)[]> => {
  const one = (w: StreamWrite) => store.appendToStream(w.streamId, w.events, w.expected).catch((err: Error) => err);
  // One stream is a plain append (what a single command sends), on every store.
  if (writes.length === 1 || !store.appendToStreams) return Promise.all(writes.map(one));
  return store.appendToStreams(writes);
};
