import { DataSource, In } from 'typeorm';
import { AllSubscription, EventStore, RecordedEvent } from '@ledger/event-store';
import { Projection } from '../projection';
import { CheckpointEntity } from './checkpoint.entity';

export interface RunnerLogger {
  log(message: string): void;
  error(message: string): void;
}

export interface ProjectionRunnerOptions {
  readonly batchSize: number;
  readonly logger?: RunnerLogger;
  readonly retryMs?: number;
}

/**
 * At-least-once delivery made exactly-once in effect: each batch's rows and every projection's
 * checkpoint commit in one transaction, and projections skip positions at or below their own
 * checkpoint. A crash between batches replays at most the uncommitted batch.
 */
export class ProjectionRunner {
  private checkpoints = new Map<string, bigint>();
  private subscription: AllSubscription | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  lastError: { message: string; eventId: string | null; position: string | null; at: string } | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions,
  ) {}

  async start(): Promise<void> {
    const names = this.projections.map((p) => p.name);
    const rows = await this.dataSource.getRepository(CheckpointEntity).findBy({ name: In(names) });
    for (const n of names) this.checkpoints.set(n, BigInt(rows.find((r) => r.name === n)?.position ?? 0));
    this.stopped = false;
    this.loop = this.run();
  }

  /** The position every projection has reached. */
  position(): bigint {
    const values = [...this.checkpoints.values()];
    return values.length ? values.reduce((a, b) => (b < a ? b : a)) : 0n;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.subscription = this.store.subscribeToAll({ fromPosition: this.position(), maxBatchSize: this.options.batchSize });
      try {
        for await (const batch of this.subscription) {
          if (this.stopped) break;
          await this.applyBatch(batch);
          this.lastError = null;
        }
      } catch (err) {
        if (this.stopped) break;
        this.recordFailure(err);
        await new Promise((r) => setTimeout(r, this.options.retryMs ?? 1000));
      } finally {
        await this.subscription.close();
      }
    }
  }

  async applyBatch(batch: readonly RecordedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const last = batch[batch.length - 1].position;
    const next = new Map(this.checkpoints);
    await this.dataSource.transaction(async (em) => {
      for (const p of this.projections) {
        const from = this.checkpoints.get(p.name) ?? 0n;
        const fresh = batch.filter((e) => e.position > from);
        if (fresh.length === 0) continue;
        await p.applyBatch(fresh, em);
        next.set(p.name, last);
      }
      const now = new Date();
      const rows = [...next].map(([name, position]) => ({ name, position: position.toString(), updatedAt: now }));
      await em.upsert(CheckpointEntity, rows, ['name']);
    });
    this.checkpoints = next;
  }

  private recordFailure(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.lastError = { message, eventId: null, position: this.position().toString(), at: new Date().toISOString() };
    this.options.logger?.error(`projection batch after position ${this.position()} failed, retrying: ${message}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.loop;
  }
}
