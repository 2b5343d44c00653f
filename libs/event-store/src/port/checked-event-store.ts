import {
  AllSubscription,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadStreamOptions,
  ReadAllOptions,
  RecordedEvent,
  StreamWrite,
  SubscribeOptions,
  ConcurrencyError,
  appendToStreams,
} from './event-store.port';
import { SpanStatusCode } from '@opentelemetry/api';
import { appendDuration, eventsAppendedTotal, inSpan, streamCategory } from '@ledger/observability';

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

/** Brings a stored event to its current shape; answers the same object when it already is. */
export type Upcast = (e: RecordedEvent) => RecordedEvent;

/**
 * The port every reader and writer goes through. Appends: each event is checked against its schema
 * before the adapter sees it, so no adapter can store what a decider, projection or publisher cannot
 * read. Reads: every event is upcast once, here, so deciders, projections, the publisher and the
 * audit views all see current shapes. `inner` is the store as stored (what the hash chain covers,
 * and for tests that must plant a bad event).
 */
export class CheckedEventStore implements EventStore {
  constructor(
    readonly inner: EventStore,
    private readonly check: EventCheck,
    private readonly upcast: Upcast = (e) => e,
  ) {}

  async appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const refused = this.refusal(streamId, events);
    if (refused) throw refused;
    return measuredAppend([{ streamId, events }], async () => {
      const result = await this.inner.appendToStream(streamId, events, expectedRevision);
      return { result, written: [result.replayed ? [] : events] };
    });
  }

  /** A write with an event its schema refuses is answered with that refusal; the others go on. */
  async appendToStreams(writes: readonly StreamWrite[]): Promise<(AppendResult | Error)[]> {
    const answers: (AppendResult | Error)[] = writes.map((w) => this.refusal(w.streamId, w.events) ?? new Error('pending'));
    const pass = writes.map((_, i) => i).filter((i) => !(answers[i] instanceof EventSchemaError));
    const passed = pass.map((i) => writes[i]);
    return measuredAppend(passed, async () => {
      const results = await appendToStreams(this.inner, passed);
      pass.forEach((i, k) => (answers[i] = results[k]));
      const written = results.map((r, k) => (r instanceof Error || r.replayed ? [] : passed[k].events));
      // One multi-stream append answers each write on its own: its outcome is the worst of them.
      const failed = results.filter((r): r is Error => r instanceof Error);
      const outcome = failed.length === 0 ? 'ok' : failed.every((e) => e instanceof ConcurrencyError) ? 'conflict' : 'error';
      return { result: answers, written, outcome, failed: failed.length };
    });
  }

  private refusal(streamId: string, events: readonly EventToAppend[]): EventSchemaError | null {
    for (const e of events) {
      const reasons = this.check(streamId, e.type, e.data);
      if (reasons.length) return new EventSchemaError(streamId, e.type, reasons);
    }
    return null;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamId, options)).map(this.upcast);
  }

  /** Present when the adapter has it (a log-wide id index), like the adapter's own. */
  get readEvents(): ((ids: readonly string[]) => Promise<RecordedEvent[]>) | undefined {
    const inner = this.inner.readEvents?.bind(this.inner);
    return inner && (async (ids) => (await inner(ids)).map(this.upcast));
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readAll(options)).map(this.upcast);
  }

  subscribeToAll(options?: SubscribeOptions): AllSubscription {
    const inner = this.inner.subscribeToAll(options);
    const upcast = this.upcast;
    async function* batches(): AsyncGenerator<readonly RecordedEvent[]> {
      for await (const batch of inner) yield batch.map(upcast);
    }
    const iterator = batches();
    return { [Symbol.asyncIterator]: () => iterator, close: () => inner.close() };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Every append, as a span (`ledger.append`, a child of the command's) and in the append latency
 * histogram; the events it wrote are counted by type. A replayed append wrote nothing new.
 */
const measuredAppend = async <T>(
  writes: readonly { readonly streamId: string; readonly events: readonly EventToAppend[] }[],
  append: () => Promise<{ result: T; written: (readonly EventToAppend[])[]; outcome?: 'ok' | 'conflict' | 'error'; failed?: number }>,
): Promise<T> => {
  if (writes.length === 0) return (await append()).result;
  const attributes = {
    'ledger.streams': writes.length,
    'ledger.stream.category': streamCategory(writes[0].streamId),
    'ledger.events': writes.reduce((n, w) => n + w.events.length, 0),
  };
  const end = appendDuration.startTimer();
  return inSpan('ledger.append', attributes, async (span) => {
    try {
      const { result, written, outcome = 'ok', failed = 0 } = await append();
      end({ outcome });
      if (failed) {
        span.setAttribute('ledger.streams.failed', failed);
        if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} of ${writes.length} writes failed` });
      }
      for (const events of written) for (const e of events) eventsAppendedTotal.inc({ type: e.type });
      return result;
    } catch (err) {
      end({ outcome: err instanceof ConcurrencyError ? 'conflict' : 'error' });
      throw err;
    }
  });
};
