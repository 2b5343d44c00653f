import { BACKWARDS, END, EventStoreDBClient, FORWARDS, START, StreamNotFoundError, WrongExpectedVersionError } from '@eventstore/db-client';
import { checkExpected, idempotentReplay } from '../port/append-rules';
import {
  AllSubscription,
  AppendResult,
  ConcurrencyError,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadStreamOptions,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../port/event-store.port';
import { clientConnectionString, toEventData, toExpectedRevision, toRecorded, wanted } from './esdb-mapping';
import { BatchingSettings, EsdbAllSubscription, ReconnectPolicy } from './esdb-subscription';

export interface EsdbEventStoreOptions {
  /**
   * The server deduplicates a retried append only when it carries the expectation of the first
   * attempt. The port promises more: ids already in the stream make the append a replay (or a
   * DuplicateEventIdError). 'stream' reads the stream before each append to keep that promise:
   * all of it for 'no_stream', 'any' and 'stream_exists', and for an exact revision the events after
   * it plus `idempotencyLookback` before it, so its cost does not grow with the stream.
   * 'server' trusts the server alone.
   */
  readonly idempotency?: 'stream' | 'server';
  /** Events before an exact expected revision that 'stream' idempotency still checks (default 32). */
  readonly idempotencyLookback?: number;
  /** How many $all events one round trip of `readAll` asks for, at least. */
  readonly readChunk?: number;
  readonly subscription?: Partial<Omit<BatchingSettings, 'maxBatchSize' | 'reconnect'>> & { readonly reconnect?: Partial<ReconnectPolicy> };
}

const DEFAULT_BATCHING: Omit<BatchingSettings, 'maxBatchSize'> = {
  idleFlushMs: 10,
  maxWaitMs: 100,
  reconnect: { initialDelayMs: 100, maxDelayMs: 5_000, maxAttempts: Number.POSITIVE_INFINITY },
};

/**
 * The EventStore port on EventStoreDB / KurrentDB. Expected revisions are the server's own; its
 * conflicts become ConcurrencyError. Only the ledger's events come out of $all: `$` streams and
 * `$` types (server metadata, tombstones, statistics) are filtered away. The store owns its client.
 */
export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new Set<EsdbAllSubscription>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EsdbEventStoreOptions = {},
  ) {}

  /** Accepts esdb://, esdb+discover://, kurrentdb:// and kurrentdb+discover:// connection strings. */
  static connect(url: string, options?: EsdbEventStoreOptions): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(clientConnectionString(url)), options);
  }

  async appendToStream(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) return this.checkOnly(streamId, expected);
    if (this.options.idempotency !== 'server') {
      const lookback = this.options.idempotencyLookback ?? 32;
      const from = typeof expected === 'number' && expected >= 0 ? Math.max(0, expected + 1 - lookback) : 0;
      const stream = await this.readStream(streamId, { fromRevision: from });
      const replay = idempotentReplay(stream, events, (id) => stream.some((e) => e.id === id));
      if (replay) return replay;
    }
    try {
      const result = await this.client.appendToStream(streamId, events.map(toEventData), {
        expectedRevision: toExpectedRevision(expected),
      });
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      // The server answers the last position only; the appended events (a few) are read back for theirs.
      const first = nextExpectedRevision - events.length + 1;
      const written = await this.readStream(streamId, { fromRevision: first });
      const mine = written.slice(0, events.length).map(({ id, revision, position }) => ({ id, revision, position }));
      if (mine.length !== events.length) throw new Error(`stream ${streamId}: appended events not found at revision ${first}`);
      return { nextExpectedRevision, position: mine[mine.length - 1].position, events: mine };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) {
        const actual = err.actualVersion;
        throw new ConcurrencyError(streamId, expected, typeof actual === 'bigint' && actual >= 0n ? Number(actual) : 'no_stream');
      }
      throw err;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const fromRevision = options.fromRevision ? BigInt(options.fromRevision) : START;
    return this.collect(() => this.client.readStream(streamId, { fromRevision, direction: FORWARDS }));
  }

  async readAll({ fromPosition, filter, limit }: ReadAllOptions): Promise<RecordedEvent[]> {
    const page: RecordedEvent[] = [];
    if (limit <= 0) return page;
    let after = fromPosition;
    for (;;) {
      // The chunk also holds the event at `after` itself: reads of $all include their start.
      const chunk = Math.max(limit - page.length + 1, this.options.readChunk ?? 256);
      const from = after === undefined ? START : { commit: after, prepare: after };
      let read = 0;
      for await (const resolved of this.client.readAll({ fromPosition: from, maxCount: chunk, direction: FORWARDS })) {
        read++;
        const position = resolved.event?.position.commit;
        if (!resolved.event || position === undefined || (after !== undefined && position <= after)) continue;
        after = position;
        if (page.length === limit) continue;
        if (wanted(resolved.event, filter)) page.push(toRecorded(resolved));
      }
      if (page.length === limit || read < chunk) return page;
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): AllSubscription {
    const configured = this.options.subscription ?? {};
    const settings: BatchingSettings = {
      ...DEFAULT_BATCHING,
      ...configured,
      maxBatchSize: options.maxBatchSize ?? 500,
      reconnect: { ...DEFAULT_BATCHING.reconnect, ...configured.reconnect },
    };
    const subscription = new EsdbAllSubscription(this.client, options, settings, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /** An append of nothing still checks the expectation, as the other adapters do, without a write. */
  private async checkOnly(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.collect(() => this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }));
    checkExpected(streamId, expected, last ? last.revision : -1);
    return { nextExpectedRevision: last ? last.revision : -1, position: last?.position ?? 0n, events: [] };
  }

  private async collect(read: () => AsyncIterable<Parameters<typeof toRecorded>[0]>): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of read()) events.push(toRecorded(resolved));
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    return events;
  }
}
