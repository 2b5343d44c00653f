import { AllSubscription, EventStore, RecordedEvent } from '../port/event-store.port';
import { Pause, RetryPolicy, backoffDelay } from '../port/retry';
import { consumerEventsTotal, consumerRetriesTotal, trackConsumerLag } from '@ledger/observability';
import { LagProbe, PagedLagProbe } from './lag-probe';

/** What a consumer of the global log supplies; the loop around it is the same for every consumer. */
export interface CheckpointedConsumer {
  /** The last position the consumer committed: where a (re)subscription starts, exclusively. */
  position(): bigint;
  /** Applies one batch and commits (or schedules) its checkpoint; a throw resubscribes from `position()`. */
  handle(batch: readonly RecordedEvent[]): Promise<void>;
  /** False ends the loop (for example every projection stopped on an event). */
  running(): boolean;
  /** A failed read or handle: record it and say whether to retry after a backoff or stop. */
  failed(err: unknown, consecutiveFailures: number): Promise<'retry' | 'stop'>;
}

export interface CheckpointedSubscriptionOptions {
  readonly batchSize: number;
  readonly retry: Pick<RetryPolicy, 'baseMs' | 'maxMs'>;
  /** Read the next batch while the current one is handled (the publisher overlaps store and broker). */
  readonly readAhead?: boolean;
  /** The consumer's name in metrics (`consumer` label): its lag, retries and events handled. */
  readonly name?: string;
  /** How its lag is measured; by default by one page of the log through the port (exact up to 1,000). */
  readonly lag?: LagProbe;
}

/**
 * The ledger's one checkpointed subscription: subscribe from the consumer's checkpoint → handle a
 * batch → the consumer commits its checkpoint once the handler succeeded → on a failure, back off
 * and resubscribe from the last committed checkpoint. The projector and the publisher run on it;
 * the next consumers (payment timeouts, reminders, reconciliation) plug into it the same way.
 */
export class CheckpointedSubscription {
  private subscription: AllSubscription | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private readonly pause = new Pause();

  constructor(
    private readonly store: EventStore,
    private readonly consumer: CheckpointedConsumer,
    private readonly options: CheckpointedSubscriptionOptions,
  ) {}

  private untrack: (() => void) | null = null;
  /** The last position of a batch the consumer handled in this run. */
  private handled = -1n;

  private reached(): bigint {
    const checkpoint = this.consumer.position();
    return this.handled > checkpoint ? this.handled : checkpoint;
  }

  start(): void {
    this.stopped = false;
    if (this.options.name && !this.untrack) {
      const probe = this.options.lag ?? new PagedLagProbe(this.store, 1_000, 1_000);
      // From what it has read and handled, not its checkpoint: a consumer may hold its checkpoint
      // back on purpose (the payment processes keep it before the oldest open renewal).
      this.untrack = trackConsumerLag(this.options.name, () => probe.behind(this.reached()));
    }
    this.loop = this.run();
  }

  /** Ends the loop after the batch in hand; a backoff under way is cut short. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.untrack?.();
    this.untrack = null;
    this.pause.wake();
    await this.subscription?.close();
    await this.loop;
  }

  /** Resolves when the loop ended (stopped, or the consumer stopped running or gave up). */
  done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped && this.consumer.running()) {
      let subscription: AllSubscription | null = null;
      try {
        subscription = this.store.subscribeToAll({ fromPosition: this.consumer.position(), maxBatchSize: this.options.batchSize });
        this.subscription = subscription;
        for await (const batch of this.options.readAhead ? readAhead(subscription) : subscription) {
          if (this.stopped) break;
          await this.consumer.handle(batch);
          if (batch.length) this.handled = batch[batch.length - 1].position;
          if (this.options.name) consumerEventsTotal.inc({ consumer: this.options.name }, batch.length);
          failures = 0;
          if (!this.consumer.running()) break;
        }
      } catch (err) {
        if (this.stopped) break;
        failures += 1;
        this.handled = -1n; // it reads again from its checkpoint
        // A consumer that cannot even record its failure has nothing left to retry with.
        const decision = await this.consumer.failed(err, failures).catch((): 'stop' => 'stop');
        // A stop that came while the failure was recorded has no sleep to cut short yet.
        if (decision === 'stop' || this.stopped) break;
        if (this.options.name) consumerRetriesTotal.inc({ consumer: this.options.name });
        await this.pause.sleep(backoffDelay(this.options.retry, failures));
      } finally {
        await subscription?.close().catch(() => undefined);
      }
    }
  }
}

/**
 * Asks the source for the next batch while the current one is being handled, so reading the
 * store overlaps the handler's wait. At most one batch is read ahead.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  // The consumer may stop before awaiting the last read; its failure must not go unhandled.
  pending.catch(() => undefined);
  for (;;) {
    const result = await pending;
    if (result.done) return;
    pending = iterator.next();
    pending.catch(() => undefined);
    yield result.value;
  }
}
