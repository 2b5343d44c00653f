import { DataSource } from 'typeorm';
import { LATE_USAGE_MS, RenewalReminderDue, subscriptionDecider, subscriptionStreamId } from '@ledger/domain';
import {
  CheckpointStore,
  CheckpointedSubscription,
  EventStore,
  RecordedEvent,
  RetryPolicy,
  StreamStates,
  handleCommand,
} from '@ledger/event-store';

export interface CardWatchDeps {
  readonly store: EventStore;
  readonly states: StreamStates;
  readonly dataSource: DataSource;
  readonly checkpoints: CheckpointStore;
  readonly sweepMs: number;
  readonly retry: Pick<RetryPolicy, 'baseMs' | 'maxMs'>;
  readonly log: { warn(message: string): void; error(message: string): void };
  readonly now?: () => Date;
  /** A reminder just written to the log (auto-renew answers it); a throw re-reads the batch later. */
  readonly onReminder?: (subscriptionId: string, reminder: RenewalReminderDue['data'], eventId: string) => Promise<void>;
}

const NAME = 'card-watch';
const CARD_PREFIX = 'subscription-';
const ACTOR = 'system:card-watch';
/** Cards reviewed per sweep; the next sweep takes the rest. */
const SWEEP_LIMIT = 500;

/**
 * The card watch: time passing is not an event, so something must look. On the log (the one
 * checkpointed subscription), every card whose data was just used is reviewed for a low-data
 * reminder; every `sweepMs`, the card-balance read model names the cards whose soonest bucket has
 * ended (forfeited on time) or whose validity ends within the reminder window. The card's own
 * decider (ReviewCard) decides what is due, once: a repeated review, a second instance or a replay
 * after a crash writes nothing twice.
 */
export class CardWatch {
  private subscription: CheckpointedSubscription | null = null;
  private checkpoint = 0n;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly deps: CardWatchDeps) {}

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  /** One card, now. Idempotent: the decider answers a repeat with no events. */
  async review(subscriptionId: string, causationId = NAME): Promise<void> {
    const now = this.now();
    const key = `${NAME}:${now}`;
    await handleCommand(
      this.deps.states,
      subscriptionStreamId(subscriptionId),
      subscriptionDecider,
      { type: 'ReviewCard', now },
      {
        metadata: { commandId: key, correlationId: key, causationId, actor: ACTOR, idempotencyKey: key },
        step: 'review',
      },
    );
  }

  /** The cards due now per the read model, reviewed one by one (a failure is logged; the next sweep retries it). */
  async sweep(): Promise<number> {
    const rows: { subscription_id: string }[] = await this.deps.dataSource.query(
      `SELECT subscription_id FROM card_balance
       WHERE next_bucket_expiry <= $1::timestamptz - $2::bigint * interval '1 millisecond'
          OR (validity_remind_at <= $1::timestamptz AND expires_at > $1::timestamptz AND pending_renewal_id IS NULL
              AND validity_reminded_for IS DISTINCT FROM expires_at)
       ORDER BY subscription_id LIMIT ${SWEEP_LIMIT}`,
      [this.now(), LATE_USAGE_MS],
    );
    for (const r of rows) {
      if (this.stopped) break;
      await this.review(r.subscription_id).catch((err) =>
        this.deps.log.error(`card watch: reviewing ${r.subscription_id} failed: ${(err as Error).message}`),
      );
    }
    return rows.length;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.checkpoint = await this.deps.checkpoints.load(NAME);
    this.subscription = new CheckpointedSubscription(
      this.deps.store,
      {
        position: () => this.checkpoint,
        handle: (batch) => this.handle(batch),
        running: () => !this.stopped,
        failed: async (err, failures) => {
          this.deps.log.warn(`card watch: reading the log failed (attempt ${failures}), retrying: ${(err as Error).message}`);
          return 'retry';
        },
      },
      { batchSize: 200, retry: this.deps.retry, name: NAME },
    );
    this.subscription.start();
    const tick = () => {
      if (this.stopped) return;
      this.sweeping = this.sweep()
        .then(() => undefined)
        .catch((err) => this.deps.log.error(`card watch: sweep failed: ${(err as Error).message}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.deps.sweepMs);
        });
    };
    this.timer = setTimeout(tick, Math.min(this.deps.sweepMs, 1000));
  }

  /**
   * Usage moves a card towards low data: review each card used in the batch; each reminder in it is
   * handed on (auto-renew); then commit the checkpoint.
   */
  private async handle(batch: readonly RecordedEvent[]): Promise<void> {
    const used = new Map<string, string>();
    const reminders: RecordedEvent[] = [];
    for (const e of batch) {
      if (!e.streamId.startsWith(CARD_PREFIX)) continue;
      if (e.type === 'DataUsageRecorded') used.set(e.streamId.slice(CARD_PREFIX.length), e.id);
      if (e.type === 'RenewalReminderDue') reminders.push(e);
    }
    // A step that fails throws: the batch is read again from the checkpoint (every step is idempotent).
    for (const [card, causation] of used) await this.review(card, causation);
    for (const e of reminders)
      await this.deps.onReminder?.(e.streamId.slice(CARD_PREFIX.length), e.data as RenewalReminderDue['data'], e.id);
    const last = batch.at(-1)?.position;
    if (last !== undefined && last > this.checkpoint) {
      await this.deps.checkpoints.save(NAME, last);
      this.checkpoint = last;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.subscription?.stop();
    await this.sweeping;
  }
}
