import { paymentProcessFailuresTotal } from '@ledger/observability';
import {
  LookupPolicy,
  PAYMENT_PROCESS_PREFIX,
  PaymentProcess,
  PaymentProcessCommand,
  nextStep,
  paymentProcessDecider,
  paymentProcessStreamId,
} from '@ledger/domain';
import {
  CheckpointStore,
  CheckpointedSubscription,
  EventMetadata,
  EventStore,
  RecordedEvent,
  StreamStates,
  backoffDelay,
  handleCommand,
} from '@ledger/event-store';
import { ProcessExecutor } from './process-executor';

/** Failures of one payment's step before they are logged as errors rather than warnings. */
const ESCALATE_AFTER = 5;

export interface RunnerOptions {
  readonly lookup: LookupPolicy;
  /** Backoff after a drive failed on our side (the store, a bug): the process is tried again. */
  readonly retry: { readonly baseMs: number; readonly maxMs: number };
  readonly batchSize?: number;
  readonly name?: string;
  /** Every failure here is retried: warnings. */
  readonly log?: { warn(message: string): void; error?(message: string): void };
  readonly now?: () => Date;
}

/** A process as this runner just wrote it: where a drive may start without reading it back. */
interface Known {
  readonly state: PaymentProcess;
  readonly revision: number;
  readonly causation: string | undefined;
}

/** Steps per drive before yielding: a process that never settles must not hold the loop forever. */
const MAX_STEPS = 40;

/**
 * Runs renewals' payment processes: drives each to its next wait (an owner's approval, a timeout)
 * or its end. A request drives its own process at once; the checkpointed subscription drives every
 * process written to the log (after a crash: every process still open), and durable timeouts are the
 * processes' own deadlines, re-armed from their state whenever a process is driven.
 *
 * The checkpoint stays before the first event of the oldest open process, so a restart reads every
 * open process again and nothing waits on memory that a crash took away.
 */
export class PaymentProcessRunner {
  private readonly running = new Map<string, Promise<PaymentProcess>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  /** Open processes → position of the first event this run saw of them. */
  private readonly open = new Map<string, bigint>();
  private subscription: CheckpointedSubscription | null = null;
  private checkpoint = 0n;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly states: StreamStates,
    private readonly executor: ProcessExecutor,
    private readonly checkpoints: CheckpointStore,
    private readonly options: RunnerOptions,
  ) {}

  private get name(): string {
    return this.options.name ?? 'payment-process';
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Writes an input (a start, a webhook, a refund request) to the process, then drives it. */
  async receive(paymentId: string, command: PaymentProcessCommand, metadata: EventMetadata, eventId?: string): Promise<PaymentProcess> {
    const written = await this.record(paymentId, command, metadata, eventId);
    // Nobody else drove it since: start from what was just written instead of reading it back.
    return this.drive(paymentId, this.running.has(paymentId) ? undefined : written);
  }

  /** Writes an input and answers once it is stored; the process is driven in the background. */
  async accept(paymentId: string, command: PaymentProcessCommand, metadata: EventMetadata, eventId?: string): Promise<void> {
    await this.record(paymentId, command, metadata, eventId);
    void this.drive(paymentId).catch(() => undefined);
  }

  private async record(paymentId: string, command: PaymentProcessCommand, metadata: EventMetadata, eventId?: string): Promise<Known> {
    const result = await handleCommand(this.states, paymentProcessStreamId(paymentId), paymentProcessDecider, command, {
      metadata,
      step: command.type,
      idsPerRevision: command.type !== 'StartRenewal',
      ...(eventId ? { eventId: () => eventId } : {}),
    });
    return { state: result.state, revision: result.revision, causation: result.appended.at(-1)?.id };
  }

  /** One drive per process at a time in this process; others wait for it and then drive again. */
  drive(paymentId: string, known?: Known): Promise<PaymentProcess> {
    const previous = this.running.get(paymentId) ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(() => this.driveNow(paymentId, known));
    this.running.set(paymentId, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.running.get(paymentId) === next) this.running.delete(paymentId);
      });
    return next;
  }

  async state(paymentId: string): Promise<PaymentProcess> {
    return (await this.states.current(paymentProcessStreamId(paymentId), paymentProcessDecider)).state;
  }

  private async driveNow(paymentId: string, known?: Known): Promise<PaymentProcess> {
    this.clearTimer(paymentId);
    const stream = paymentProcessStreamId(paymentId);
    let folded: { state: PaymentProcess; revision: number } = known ?? { state: paymentProcessDecider.initialState(), revision: -1 };
    let causation: string | undefined;
    try {
      // Always from the store: another drive may have moved the process since `known` was written.
      folded = await this.states.current(stream, paymentProcessDecider);
      // What the process writes next is caused by the last thing it took in.
      causation =
        known && known.revision === folded.revision
          ? known.causation
          : folded.revision >= 0
            ? (await this.store.readStream(stream, { fromRevision: folded.revision })).at(-1)?.id
            : undefined;
      for (let steps = 0; steps < MAX_STEPS && !this.stopped; steps++) {
        const now = this.now().toISOString();
        const step = nextStep(folded.state, now, this.options.lookup);
        if (step.kind === 'done') {
          this.open.delete(paymentId);
          break;
        }
        if (step.kind === 'wait') {
          this.arm(paymentId, Date.parse(step.until) - Date.parse(now));
          break;
        }
        const result = await this.executor.run(folded.state, step.action, now, causation);
        const recorded = await handleCommand(
          this.states,
          stream,
          paymentProcessDecider,
          { type: 'RecordResult', action: step.action, result, now: this.now().toISOString() },
          { metadata: this.metadata(folded.state, step.action.type, causation), step: step.action.type, idsPerRevision: true },
        );
        causation = recorded.appended.at(-1)?.id ?? causation;
        folded = { state: recorded.state, revision: recorded.revision };
        if (steps === MAX_STEPS - 1) this.arm(paymentId, 0);
      }
      this.failures.delete(paymentId);
      return folded.state;
    } catch (err) {
      const failures = (this.failures.get(paymentId) ?? 0) + 1;
      this.failures.set(paymentId, failures);
      paymentProcessFailuresTotal.inc();
      // A few failures are a provider or store blip the retries cover; a step that keeps failing is ours to look at.
      const line = `payment process ${paymentId} failed (attempt ${failures}), retrying: ${(err as Error).message}`;
      if (failures >= ESCALATE_AFTER && this.options.log?.error) this.options.log.error(line);
      else this.options.log?.warn(line);
      this.arm(paymentId, backoffDelay(this.options.retry, failures));
      throw err;
    }
  }

  private metadata(s: PaymentProcess, step: string, causation: string | undefined): EventMetadata {
    const origin = s.request!.origin;
    return {
      commandId: `${s.request!.paymentId}:${step}`,
      correlationId: origin.correlationId,
      causationId: causation ?? s.request!.paymentId,
      actor: 'process:payment',
      idempotencyKey: origin.idempotencyKey,
    };
  }

  private arm(paymentId: string, delayMs: number): void {
    if (this.stopped) return;
    this.clearTimer(paymentId);
    // Node's timers hold at most ~24.8 days; a longer wait is re-armed when it fires.
    const timer = setTimeout(() => void this.drive(paymentId).catch(() => undefined), Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
    timer.unref();
    this.timers.set(paymentId, timer);
  }

  private clearTimer(paymentId: string): void {
    const timer = this.timers.get(paymentId);
    if (timer) clearTimeout(timer);
    this.timers.delete(paymentId);
  }

  /** Subscribes to the log from the checkpoint: every process written there is driven. */
  async start(): Promise<void> {
    this.stopped = false;
    this.checkpoint = await this.checkpoints.load(this.name);
    this.subscription = new CheckpointedSubscription(
      this.store,
      {
        position: () => this.checkpoint,
        handle: (batch) => this.handle(batch),
        running: () => !this.stopped,
        failed: async (err, failures) => {
          this.options.log?.warn(`payment processes: reading the log failed (attempt ${failures}), retrying: ${(err as Error).message}`);
          return 'retry';
        },
      },
      { batchSize: this.options.batchSize ?? 200, retry: this.options.retry, name: this.name },
    );
    this.subscription.start();
  }

  private async handle(batch: readonly RecordedEvent[]): Promise<void> {
    const touched = new Set<string>();
    for (const e of batch) {
      if (!e.streamId.startsWith(PAYMENT_PROCESS_PREFIX)) continue;
      const id = e.streamId.slice(PAYMENT_PROCESS_PREFIX.length);
      if (!this.open.has(id)) this.open.set(id, e.position);
      touched.add(id);
    }
    // A drive that fails is re-armed with a backoff and stays open; the batch still moves on.
    await Promise.all([...touched].map((id) => this.drive(id).catch(() => undefined)));
    const oldestOpen = [...this.open.values()].reduce<bigint | null>((min, p) => (min === null || p < min ? p : min), null);
    const last = batch.at(-1)?.position ?? this.checkpoint;
    const position = oldestOpen === null ? last : oldestOpen - 1n < last ? oldestOpen - 1n : last;
    if (position > this.checkpoint) {
      await this.checkpoints.save(this.name, position);
      this.checkpoint = position;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const id of [...this.timers.keys()]) this.clearTimer(id);
    await this.subscription?.stop();
    await Promise.all([...this.running.values()].map((p) => p.catch(() => undefined)));
  }
}
