import { Backoff, CheckpointedSubscription, Pause, RetryPolicy } from '@ledger/event-store';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import { BatchProducer, OutgoingMessage, TopicBatch, toDeadLetter, toIntegrationEvent } from '@ledger/messaging';
import type { CheckpointStore } from '../checkpoint/publisher-checkpoint';
import type { LagProbe } from '@ledger/event-store';
import type { Span } from '@opentelemetry/api';
import { endSpans, startSendSpan } from '@ledger/observability';

/** Broker and store outages last as long as they last: the publisher backs off and never gives up. */
export const PUBLISHER_BACKOFF: Pick<RetryPolicy, 'baseMs' | 'maxMs'> = { baseMs: 250, maxMs: 10_000 };

export interface PublisherOptions {
  /** Checkpoint row name: one active publisher per name. */
  readonly name: string;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly batchSize: number;
  readonly backoff?: Pick<RetryPolicy, 'baseMs' | 'maxMs'>;
}

export interface PublisherLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PublisherDeps {
  readonly store: EventStore;
  readonly producer: BatchProducer;
  readonly checkpoints: CheckpointStore;
  readonly lag: LagProbe;
  readonly logger?: PublisherLogger;
}

export interface PublisherStatus {
  readonly state: 'idle' | 'running' | 'retrying' | 'stopped';
  readonly checkpoint: bigint;
  readonly published: number;
  readonly deadLettered: number;
  readonly dropped: number;
  readonly lastAckAt: string | null;
  readonly lastError: { readonly message: string; readonly at: string; readonly attempt: number } | null;
}

export interface PublisherLag {
  readonly checkpoint: bigint;
  readonly events: number;
  readonly seconds: number;
  readonly capped: boolean;
}

class Stopped extends Error {}

/**
 * The gateway (Eventuous shape): the ledger's checkpointed subscription → toIntegrationEvent →
 * producer → checkpoint, and the checkpoint moves only after the broker acknowledged the whole batch.
 * A crash between ack and checkpoint re-sends that batch; the events keep their ce_id, so
 * consumers that deduplicate on it see each event once, in order per card.
 */
export class Publisher {
  private checkpoint = 0n;
  /** Acknowledged by the broker; the checkpoint follows it once the save of that batch commits. */
  private acked = 0n;
  private saving: Promise<void> = Promise.resolve();
  private state: PublisherStatus['state'] = 'idle';
  private counts = { published: 0, deadLettered: 0, dropped: 0 };
  private lastAckAt: string | null = null;
  private lastError: PublisherStatus['lastError'] = null;
  private subscription: CheckpointedSubscription | null = null;
  private readonly pause = new Pause();

  constructor(
    private readonly deps: PublisherDeps,
    private readonly options: PublisherOptions,
  ) {}

  async start(): Promise<void> {
    this.checkpoint = await this.deps.checkpoints.load(this.options.name);
    this.acked = this.checkpoint;
    this.state = 'running';
    this.subscription = new CheckpointedSubscription(
      this.deps.store,
      {
        position: () => this.checkpoint,
        running: () => !this.stopped,
        handle: async (page) => {
          // An adapter that re-delivers acknowledged events must neither re-send them nor spin
          // on them without letting timers run.
          const batch = page.filter((e) => e.position > this.acked);
          if (batch.length) await this.publish(batch);
          else await new Promise((resolve) => setImmediate(resolve));
        },
        failed: async (err, failures) => {
          if (this.stopped || err instanceof Stopped) return 'stop';
          // The store or the checkpoint table failed: resubscribe from the last saved checkpoint.
          this.recordError(err, failures);
          await this.saving.catch(() => undefined);
          this.saving = Promise.resolve();
          this.acked = this.checkpoint;
          return 'retry';
        },
      },
      {
        batchSize: this.options.batchSize,
        retry: this.options.backoff ?? PUBLISHER_BACKOFF,
        readAhead: true,
        name: this.options.name,
        lag: this.deps.lag,
      },
    );
    this.subscription.start();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.pause.wake();
    await this.subscription?.stop();
    await this.saving.catch((err) => this.recordError(err, 1));
  }

  status(): PublisherStatus {
    return { state: this.state, checkpoint: this.checkpoint, ...this.counts, lastAckAt: this.lastAckAt, lastError: this.lastError };
  }

  async lag(): Promise<PublisherLag> {
    const checkpoint = this.checkpoint;
    const behind = await this.deps.lag.behind(checkpoint);
    const seconds = behind.oldestRecordedAt ? Math.max(0, (Date.now() - Date.parse(behind.oldestRecordedAt)) / 1000) : 0;
    return { checkpoint, events: behind.events, seconds, capped: behind.capped ?? false };
  }

  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  private async publish(batch: readonly RecordedEvent[]): Promise<void> {
    const byTopic = new Map<string, OutgoingMessage[]>();
    const add = (topic: string, m: OutgoingMessage): void => {
      const list = byTopic.get(topic);
      if (list) list.push(m);
      else byTopic.set(topic, [m]);
    };
    let dropped = 0;
    let dead = 0;
    const spans: Span[] = [];
    for (const e of batch) {
      try {
        const m = toIntegrationEvent(e);
        if (m) {
          const topic = m.topic ?? this.options.topic;
          spans.push(startSendSpan(topic, e));
          add(topic, m);
        } else dropped++;
      } catch (err) {
        dead++;
        add(this.options.dlqTopic, toDeadLetter(e, err));
        this.deps.logger?.error(`dead-lettered event ${e.id} (${e.type} at ${e.position}): ${(err as Error).message}`);
      }
    }
    const sending = byTopic.size > 0 ? this.sendUntilAcked([...byTopic].map(([topic, messages]) => ({ topic, messages }))) : undefined;
    // The previous batch's checkpoint commits while this one is on the wire. Both must settle
    // before anything else is sent: a send left running would race the resubscribed one and
    // break per-card order. A failed save makes the loop resubscribe from the last saved checkpoint.
    const [sent, saved] = await Promise.allSettled([sending, this.saving]);
    endSpans(spans, sent.status === 'rejected' ? sent.reason : undefined);
    if (sent.status === 'rejected') throw sent.reason;
    if (saved.status === 'rejected') throw saved.reason;
    const last = batch[batch.length - 1].position;
    this.acked = last;
    this.saving = this.deps.checkpoints.save(this.options.name, last).then(() => {
      if (last > this.checkpoint) this.checkpoint = last;
      this.lastError = null;
      if (!this.stopped) this.state = 'running';
    });
    this.saving.catch(() => undefined);
    this.counts.published += batch.length - dropped - dead;
    this.counts.deadLettered += dead;
    this.counts.dropped += dropped;
  }

  private async sendUntilAcked(batches: readonly TopicBatch[]): Promise<void> {
    const backoff = new Backoff(this.options.backoff ?? PUBLISHER_BACKOFF);
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new Stopped();
      try {
        await this.deps.producer.send(batches);
        if (attempt > 1) this.deps.logger?.info(`broker acknowledged after ${attempt} attempts; resuming`);
        this.lastAckAt = new Date().toISOString();
        return;
      } catch (err) {
        if (!this.stopped) this.state = 'retrying';
        this.recordError(err, attempt);
        await this.deps.producer.reset();
        await this.pause.sleep(backoff.next());
      }
    }
  }

  private recordError(err: unknown, attempt: number): void {
    const message = err instanceof Error ? err.message : String(err);
    this.lastError = { message, at: new Date().toISOString(), attempt };
    // Retried until it succeeds: a warning each time; the health endpoint and lag say how long.
    this.deps.logger?.warn(`publishing after position ${this.checkpoint} failed (attempt ${attempt}), retrying: ${message}`);
  }
}
