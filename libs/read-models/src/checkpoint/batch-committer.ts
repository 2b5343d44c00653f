import { DataSource } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { Projection } from '../projection';
import { ProjectionFailure, ProjectionStatusStore } from '../status/projection-status.store';
import { QuarantineStore } from '../status/quarantine.store';
import { RetryPolicy, describeError, isTransientError, retryTransient } from './transient-error';

/** `warn`: a retry that may well succeed; `error`: a projection stopped or an event set aside. */
export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Tags an error with the projection whose handler threw it, so only that one is stopped. */
class ProjectionError extends Error {
  constructor(
    readonly projection: string,
    cause: unknown,
  ) {
    super(`${projection}: ${describeError(cause)}`, { cause });
  }
}

/** Bisection levels retry less: a database that is really down should fail in seconds, not minutes. */
const BISECT_ATTEMPTS = 2;

/**
 * Past this many streams set aside, the fault is not in a few events but in the projection (a bad
 * deploy, a missing column): it stops, as a whole, rather than quarantining every card one by one.
 */
export const MAX_QUARANTINED_STREAMS = 20;

/** The PostgreSQL channel a commit notifies, so queries waiting for minPosition wake without polling. */
export const PROJECTION_CHANNEL = 'ledger_projection';

/**
 * Commits batches: rows and checkpoints in one transaction, the checkpoint rows locked first
 * (always in name order) so that two runners, or a rebuild's switch, take turns instead of
 * interleaving. A batch that keeps failing is bisected to the first event that cannot be applied;
 * that event's stream is quarantined for the projection that threw (its row stays where it was,
 * its later events are skipped, recorded in projection_quarantine) and every other stream goes on.
 * An error no projection raised, or too many quarantined streams, stops the projection instead.
 */
export class BatchCommitter {
  readonly checkpoints = new Map<string, bigint>();
  readonly failures = new Map<string, ProjectionFailure>();
  readonly stats = { events: 0, rows: 0, transactions: 0 };
  /** Per projection, the streams it has set aside. */
  readonly quarantined = new Map<string, Set<string>>();
  private active: readonly Projection[];
  private readonly asideStore: QuarantineStore;

  constructor(
    private readonly dataSource: DataSource,
    projections: readonly Projection[],
    private readonly statuses: ProjectionStatusStore,
    private readonly retry: RetryPolicy,
    private readonly logger?: RunnerLogger,
    private readonly maxQuarantined = MAX_QUARANTINED_STREAMS,
  ) {
    this.active = projections;
    this.asideStore = new QuarantineStore(dataSource);
  }

  activeNames(): string[] {
    return this.active.map((p) => p.name);
  }

  /** Creates missing checkpoint rows (so they can always be locked) and reads where each projection is. */
  async load(): Promise<void> {
    const names = this.activeNames();
    await this.dataSource.query(
      `INSERT INTO projection_checkpoint (name, position, updated_at) SELECT n, 0, now() FROM unnest($1::text[]) AS n ON CONFLICT (name) DO NOTHING`,
      [names],
    );
    const rows: { name: string; position: string }[] = await this.dataSource.query(
      'SELECT name, position FROM projection_checkpoint WHERE name = ANY($1::text[])',
      [names],
    );
    for (const r of rows) this.checkpoints.set(r.name, BigInt(r.position));
    for (const q of await this.asideStore.list(names)) this.setAside(q.name, q.streamId);
  }

  private setAside(name: string, streamId: string): void {
    const set = this.quarantined.get(name) ?? new Set<string>();
    set.add(streamId);
    this.quarantined.set(name, set);
  }

  /** Over every projection, stopped ones included: what read-your-writes may promise. */
  lowestCheckpoint(): bigint {
    const values = [...this.checkpoints.values()];
    return values.length ? values.reduce((a, b) => (b < a ? b : a)) : 0n;
  }

  /** The lowest checkpoint over the projections still running (over all of them when none is). */
  position(): bigint {
    const names = this.active.length ? this.activeNames() : [...this.checkpoints.keys()];
    const values = names.map((n) => this.checkpoints.get(n) ?? 0n);
    return values.length ? values.reduce((a, b) => (b < a ? b : a)) : 0n;
  }

  async commit(events: readonly RecordedEvent[]): Promise<void> {
    await this.settle(events, this.retry.attempts);
  }

  private async settle(events: readonly RecordedEvent[], attempts: number): Promise<void> {
    if (events.length === 0 || this.active.length === 0) return;
    try {
      await retryTransient(
        () => this.attempt(events),
        { ...this.retry, attempts },
        (err, n, ms) =>
          this.logger?.warn(
            `batch up to position ${events.at(-1)!.position} failed (attempt ${n}, retrying in ${Math.round(ms)} ms): ${describeError(err)}`,
          ),
      );
    } catch (err) {
      if (events.length === 1) return this.quarantine(events[0], err);
      const mid = Math.ceil(events.length / 2);
      await this.settle(events.slice(0, mid), BISECT_ATTEMPTS);
      await this.settle(events.slice(mid), BISECT_ATTEMPTS);
    }
  }

  private async attempt(events: readonly RecordedEvent[]): Promise<void> {
    const projections = this.active;
    const last = events[events.length - 1].position;
    const { moved, rows } = await this.dataSource.transaction(async (em) => {
      const names = projections.map((p) => p.name).sort();
      const locked: { name: string; position: string }[] = await em.query(
        'SELECT name, position FROM projection_checkpoint WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE',
        [names],
      );
      // Re-read under the lock: a rebuild's switch may have moved a checkpoint, and replaced the quarantine.
      const from = new Map(locked.map((r) => [r.name, BigInt(r.position)]));
      const aside: { name: string; stream_id: string }[] = await em.query(
        'SELECT name, stream_id FROM projection_quarantine WHERE name = ANY($1::text[])',
        [names],
      );
      this.quarantined.clear();
      for (const q of aside) this.setAside(q.name, q.stream_id);
      const moved = new Map<string, bigint>();
      let rows = 0;
      for (const p of projections) {
        const at = from.get(p.name) ?? 0n;
        const aside = this.quarantined.get(p.name);
        const fresh = events.filter((e) => e.position > at && !aside?.has(e.streamId));
        if (fresh.length > 0) {
          try {
            rows += await p.applyBatch(fresh, em);
          } catch (err) {
            throw new ProjectionError(p.name, err);
          }
        }
        moved.set(p.name, last > at ? last : at);
      }
      const checkpoints = [...moved].map(([name, position]) => ({ name, position: position.toString() }));
      await em.query(
        `INSERT INTO projection_checkpoint (name, position, updated_at) SELECT name, position, now() FROM json_to_recordset($1::json) AS c(name text, position bigint)
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
        [JSON.stringify(checkpoints)],
      );
      // Delivered at commit to every API process that LISTENs (a projector running elsewhere).
      await em.query(`SELECT pg_notify('${PROJECTION_CHANNEL}', '')`);
      return { moved, rows };
    });
    for (const [name, position] of moved) this.checkpoints.set(name, position);
    this.stats.events += events.length;
    this.stats.rows += rows;
    this.stats.transactions += 1;
  }

  private async quarantine(event: RecordedEvent, err: unknown): Promise<void> {
    const failure: ProjectionFailure = {
      eventId: event.id,
      position: event.position.toString(),
      error: describeError(err instanceof ProjectionError ? err.cause : err),
    };
    const where = `event ${event.id} (${event.type} on ${event.streamId}, position ${event.position})`;
    // A database that stays down is not the event's fault: that stops the projection, sets nothing aside.
    const eventAtFault = err instanceof ProjectionError && !isTransientError(err.cause);
    if (eventAtFault && (this.quarantined.get(err.projection)?.size ?? 0) < this.maxQuarantined) {
      this.logger?.error(
        `projection ${err.projection} set ${event.streamId} aside at ${where}: ${failure.error}; the other streams go on, a rebuild after the fix replays it`,
      );
      await this.asideStore.add({
        name: err.projection,
        streamId: event.streamId,
        eventId: event.id,
        position: failure.position!,
        eventType: event.type,
        error: failure.error,
      });
      this.setAside(err.projection, event.streamId);
    } else {
      const culprits = err instanceof ProjectionError ? [err.projection] : this.activeNames();
      for (const name of culprits) {
        this.logger?.error(`projection ${name} stopped at ${where}: ${failure.error}; fix and restart to resume from there`);
        this.failures.set(name, failure);
      }
      this.active = this.active.filter((p) => !culprits.includes(p.name));
      await this.statuses.markFailed(culprits, failure);
    }
    // The projections that did not throw still need this event (the one that did now skips its stream).
    await this.settle([event], this.retry.attempts);
  }
}
