import { DataSource } from 'typeorm';
import { spansForHandledEvents } from '@ledger/observability';
import { CheckpointedSubscription, EventStore, RecordedEvent } from '@ledger/event-store';
import { Projection } from '../projection';
import { ProjectionFailure, ProjectionStatusStore } from '../status/projection-status.store';
import { BatchCommitter, RunnerLogger } from './batch-committer';
import { DEFAULT_RETRY, RetryPolicy, describeError, retryTransient } from './transient-error';

export type { RunnerLogger } from './batch-committer';

export interface ProjectionRunnerOptions {
  readonly batchSize: number;
  readonly logger?: RunnerLogger;
  readonly retry?: Partial<RetryPolicy>;
  /** How often a running runner says so in projection_status; 0 turns it off. */
  readonly heartbeatMs?: number;
  /** Told the position every running projection has reached, after each commit (read-your-writes). */
  readonly onProjected?: (position: bigint) => void;
  /** Streams a projection may set aside before it stops as a whole (default MAX_QUARANTINED_STREAMS). */
  readonly maxQuarantinedStreams?: number;
}

export type RunnerState = 'idle' | 'running' | 'stopped' | 'failed';

/**
 * At-least-once delivery made exactly-once in effect: each batch's rows and every projection's
 * checkpoint commit in one transaction, and projections skip positions at or below their own
 * checkpoint. A crash between batches replays at most the uncommitted batch. Transient database
 * errors are retried a bounded number of times; a projection that still cannot apply an event
 * stops there (see BatchCommitter) and the runner stops once none is left running.
 */
export class ProjectionRunner {
  private readonly committer: BatchCommitter;
  private readonly statuses: ProjectionStatusStore;
  private readonly retry: RetryPolicy;
  private subscription: CheckpointedSubscription | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;
  private loaded = false;
  state: RunnerState = 'idle';
  lastError: { message: string; eventId: string | null; position: string | null; at: string } | null = null;

  constructor(
    private readonly store: EventStore,
    dataSource: DataSource,
    projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions,
  ) {
    this.statuses = new ProjectionStatusStore(dataSource);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.committer = new BatchCommitter(dataSource, projections, this.statuses, this.retry, options.logger, options.maxQuarantinedStreams);
  }

  async start(): Promise<void> {
    await this.load();
    await this.statuses.markRunning(this.committer.activeNames());
    this.stopped = false;
    this.state = 'running';
    const every = this.options.heartbeatMs ?? 10_000;
    if (every > 0) {
      this.heartbeat = setInterval(() => this.statuses.heartbeat(this.committer.activeNames()).catch(() => undefined), every);
      this.heartbeat.unref();
    }
    this.subscription = new CheckpointedSubscription(
      this.store,
      {
        position: () => this.position(),
        running: () => this.committer.activeNames().length > 0,
        handle: async (batch) => {
          const startedAt = Date.now();
          await this.committer.commit(batch);
          spansForHandledEvents('project', batch, startedAt, { 'ledger.consumer': 'projections' });
          this.options.onProjected?.(this.committer.lowestCheckpoint());
        },
        // Commits already retried and bisected; what lands here is a failing read or status write.
        failed: async (err, failures) => {
          if (failures >= this.retry.attempts) {
            await this.fail(err);
            return 'stop';
          }
          this.recordError(err);
          this.options.logger?.warn(
            `projection batch after position ${this.position()} failed (attempt ${failures}), retrying: ${describeError(err)}`,
          );
          return 'retry';
        },
      },
      { batchSize: this.options.batchSize, retry: this.retry, name: 'projections' },
    );
    this.subscription.start();
    void this.subscription.done().then(() => this.settle());
  }

  /** The position every projection still running has reached. */
  position(): bigint {
    return this.committer.position();
  }

  /** Per projection: where it is and, if it stopped on an event, which one and why. */
  failures(): ReadonlyMap<string, ProjectionFailure> {
    return this.committer.failures;
  }

  /** Per projection, the streams it set aside. */
  quarantined(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.committer.quarantined;
  }

  get stats(): Readonly<BatchCommitter['stats']> {
    return this.committer.stats;
  }

  async applyBatch(batch: readonly RecordedEvent[]): Promise<void> {
    await this.load();
    await this.committer.commit(batch);
  }

  /**
   * Pages the log from the checkpoint up to the head (or `until`), reading the next page while the
   * current one commits: a rebuild is bound by whichever of the two is slower. A short page means
   * the head was reached when it was read; going on while writers keep appending would never end.
   */
  async catchUp(until?: bigint): Promise<void> {
    await this.load();
    const read = (from: bigint): Promise<RecordedEvent[]> => {
      const page = retryTransient(() => this.store.readAll({ fromPosition: from, limit: this.options.batchSize }), this.retry);
      page.catch(() => undefined);
      return page;
    };
    let next = read(this.position());
    for (;;) {
      const page = await next;
      if (page.length === 0 || this.committer.activeNames().length === 0) return;
      const end = page[page.length - 1].position;
      const more = page.length === this.options.batchSize && (until === undefined || end < until);
      if (more) next = read(end);
      await this.committer.commit(page);
      if (!more) return;
    }
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    await this.committer.load();
    this.loaded = true;
  }

  /** When the loop ends by itself: a projection that stopped on an event fails the runner. */
  private settle(): void {
    const failed = [...this.committer.failures.entries()].at(-1);
    if (!this.stopped && failed && this.state === 'running') {
      this.state = 'failed';
      this.lastError = { message: failed[1].error, eventId: failed[1].eventId, position: failed[1].position, at: new Date().toISOString() };
    }
  }

  private async fail(err: unknown): Promise<void> {
    this.state = 'failed';
    this.recordError(err);
    const names = this.committer.activeNames();
    this.options.logger?.error(
      `projections ${names.join(', ')} stopped at position ${this.position()} after ${this.retry.attempts} attempts: ${describeError(err)}`,
    );
    await this.statuses
      .markFailed(names, { eventId: null, position: this.position().toString(), error: describeError(err) })
      .catch(() => undefined);
  }

  private recordError(err: unknown): void {
    const message = describeError(err);
    this.lastError = { message, eventId: null, position: this.position().toString(), at: new Date().toISOString() };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.subscription?.stop();
    if (this.state === 'running') this.state = 'stopped';
    if (this.loaded) await this.statuses.markStopped(this.committer.activeNames()).catch(() => undefined);
  }
}
