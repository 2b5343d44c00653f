import { AllStreamResolvedEvent, AllStreamSubscription, EventStoreDBClient, START } from '@eventstore/db-client';
import { AllSubscription, RecordedEvent, SubscribeOptions } from '../port/event-store.port';
import { isSystem, isTransient, serverFilter, toRecorded, wanted } from './esdb-mapping';

export interface ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Consecutive failed attempts before the subscription gives up and its iteration throws. */
  readonly maxAttempts: number;
}

export interface BatchingSettings {
  readonly maxBatchSize: number;
  /** A batch is handed out once no further event arrived for this long... */
  readonly idleFlushMs: number;
  /** ...or once its first event has waited this long, whichever is first. */
  readonly maxWaitMs: number;
  readonly reconnect: ReconnectPolicy;
  readonly onReconnect?: (attempt: number, delayMs: number, error: unknown) => void;
}

/**
 * A catch-up subscription to $all that survives the connection. Events are grouped into batches as
 * they arrive (up to `maxBatchSize`, flushed on a short idle or when the server says it caught up).
 * After a transient failure it resubscribes, with exponential backoff, from the position of the
 * last event it received; the server's start is exclusive, so nothing is lost and nothing repeats.
 */
export class EsdbAllSubscription implements AllSubscription {
  private readonly queue: RecordedEvent[] = [];
  private readonly iterator: AsyncGenerator<readonly RecordedEvent[]>;
  private resumeAfter: bigint | undefined;
  private source: AllStreamSubscription | null = null;
  private failure: { error: unknown } | null = null;
  private closed = false;
  private caughtUp = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | null = null;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
    private readonly settings: BatchingSettings,
    private readonly onClosed: () => void = () => undefined,
  ) {
    this.resumeAfter = options.fromPosition;
    this.iterator = this.batches();
    this.connect();
  }

  [Symbol.asyncIterator](): AsyncIterator<readonly RecordedEvent[]> {
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClosed();
    clearTimeout(this.retryTimer);
    const source = this.source;
    this.source = null;
    this.notify();
    if (source) await this.detach(source);
  }

  private connect(): void {
    if (this.closed) return;
    const from = this.resumeAfter;
    const source = this.client.subscribeToAll({
      fromPosition: from === undefined ? START : { commit: from, prepare: from },
      filter: serverFilter(this.options.filter),
    });
    this.source = source;
    source.on('data', (resolved: AllStreamResolvedEvent) => this.receive(source, resolved));
    source.on('caughtUp', () => {
      this.attempts = 0;
      this.caughtUp = true;
      this.notify();
    });
    source.on('error', (err: unknown) => this.dropped(source, err));
    source.on('end', () => this.dropped(source, new ConnectionEnded()));
  }

  private receive(source: AllStreamSubscription, resolved: AllStreamResolvedEvent): void {
    if (source !== this.source) return;
    const position = resolved.event?.position?.commit ?? resolved.commitPosition;
    if (!resolved.event || position === undefined) return;
    this.resumeAfter = position;
    this.attempts = 0;
    if (isSystem(resolved.event)) return;
    try {
      const event = toRecorded(resolved);
      if (wanted(event, this.options.filter)) this.queue.push(event);
    } catch (err) {
      return this.fail(err);
    }
    // Backpressure: the paused stream stops reading from the socket until the consumer catches up.
    if (this.queue.length >= this.settings.maxBatchSize * 2) source.pause();
    this.notify();
  }

  private dropped(source: AllStreamSubscription, error: unknown): void {
    if (source !== this.source || this.closed) return;
    this.source = null;
    void this.detach(source);
    const { initialDelayMs, maxDelayMs, maxAttempts } = this.settings.reconnect;
    if (!(error instanceof ConnectionEnded || isTransient(error)) || ++this.attempts > maxAttempts) return this.fail(error);
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (this.attempts - 1)) * (0.5 + Math.random() / 2);
    this.settings.onReconnect?.(this.attempts, delay, error);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private fail(error: unknown): void {
    this.failure = { error };
    const source = this.source;
    this.source = null;
    if (source) void this.detach(source);
    this.notify();
  }

  private async detach(source: AllStreamSubscription): Promise<void> {
    source.removeAllListeners('data').removeAllListeners('end').removeAllListeners('caughtUp');
    source.removeAllListeners('error').on('error', () => undefined);
    await source.unsubscribe().catch(() => undefined);
    source.destroy();
  }

  private async *batches(): AsyncGenerator<readonly RecordedEvent[]> {
    const { maxBatchSize, idleFlushMs, maxWaitMs } = this.settings;
    try {
      for (;;) {
        while (this.queue.length === 0) {
          if (this.closed) return;
          if (this.failure) throw this.failure.error;
          await this.signal();
        }
        const deadline = Date.now() + maxWaitMs;
        while (this.queue.length < maxBatchSize && !this.caughtUp && !this.closed && !this.failure) {
          const before = this.queue.length;
          await this.signal(Math.min(idleFlushMs, deadline - Date.now()));
          if (this.queue.length === before) break;
        }
        if (this.closed) return;
        const batch = this.queue.splice(0, maxBatchSize);
        if (this.queue.length === 0) this.caughtUp = false;
        if (this.source?.isPaused() && this.queue.length < maxBatchSize) this.source.resume();
        yield batch;
      }
    } finally {
      await this.close();
    }
  }

  /** Resolves on the next arrival, failure or close, or after `ms` when given. */
  private signal(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** The server ended the call without an error: a node shutting down does that. */
class ConnectionEnded extends Error {
  constructor() {
    super('the server ended the subscription');
  }
}
