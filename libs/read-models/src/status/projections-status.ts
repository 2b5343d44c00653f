import { DataSource } from 'typeorm';
import { EventStore } from '@ledger/event-store';
import { REBUILD_SUFFIX } from '../projection';
import { LEDGER_PROJECTION_NAMES } from '../ledger-projector';
import { ProjectionState } from './projection-status.entity';
import { ProjectionStatusStore, StoredStatus } from './projection-status.store';
import { QuarantineStore, QuarantinedStream } from './quarantine.store';

export interface Lag {
  readonly events: number;
  /** True when counting stopped at the cap: the lag is at least `events`. */
  readonly atLeast: boolean;
}

export type LagCounter = (after: bigint) => Promise<Lag>;

/** Works with every event store; reads whole events, so it stops counting at `cap`. */
export const lagByPaging =
  (store: EventStore, cap = 100_000, page = 5_000): LagCounter =>
  async (after) => {
    let events = 0;
    for (let position = after; events < cap;) {
      const batch = await store.readAll({ fromPosition: position, limit: Math.min(page, cap - events) });
      if (batch.length === 0) return { events, atLeast: false };
      events += batch.length;
      position = batch[batch.length - 1].position;
    }
    return { events, atLeast: true };
  };

/** Exact and cheap, for when the PostgreSQL event store (es_events) shares the read models' database. */
export const lagBySql =
  (dataSource: DataSource): LagCounter =>
  async (after) => {
    const [row] = await dataSource.query('SELECT count(*)::int AS n FROM es_events WHERE position > $1::bigint', [after.toString()]);
    return { events: Number(row.n), atLeast: false };
  };

export interface ProjectionStatusView {
  readonly name: string;
  readonly rebuild: boolean;
  readonly position: string;
  readonly lag: Lag;
  readonly state: ProjectionState;
  /** Set when the stored state says running but nothing has been heard for a while. */
  readonly note: string | null;
  readonly lastSeenAt: string | null;
  readonly lastError: StoredStatus['failure'];
  /** Streams this projection set aside at an event it could not apply; the rest goes on. */
  readonly quarantined: readonly QuarantinedStream[];
}

/**
 * Per projection (and per rebuild in progress): checkpoint, lag behind the log head, and the state
 * its runner last stored. A runner killed without a goodbye still reads "running" in the table, so
 * a stale heartbeat (and checkpoint) turns it into "stopped" here.
 */
export const projectionStatuses = async (
  dataSource: DataSource,
  lagOf: LagCounter,
  staleAfterMs = 30_000,
): Promise<ProjectionStatusView[]> => {
  const checkpoints: { name: string; position: string; updated_at: string }[] = await dataSource.query(
    'SELECT name, position, updated_at FROM projection_checkpoint',
  );
  const stored = new Map((await new ProjectionStatusStore(dataSource).read()).map((s) => [s.name, s]));
  const aside = await new QuarantineStore(dataSource).list();
  const known = new Set(LEDGER_PROJECTION_NAMES.flatMap((n) => [n, `${n}${REBUILD_SUFFIX}`]));
  const names = [...new Set([...LEDGER_PROJECTION_NAMES, ...checkpoints.map((c) => c.name), ...stored.keys()])].filter((n) => known.has(n));
  const views: ProjectionStatusView[] = [];
  for (const name of names.sort()) {
    const checkpoint = checkpoints.find((c) => c.name === name);
    const status = stored.get(name);
    const position = BigInt(checkpoint?.position ?? 0);
    const seen = [status?.heartbeatAt, checkpoint?.updated_at].filter((t): t is string => !!t).map((t) => Date.parse(t));
    const lastSeen = seen.length ? Math.max(...seen) : null;
    const stale = status?.state === 'running' && (lastSeen === null || Date.now() - lastSeen > staleAfterMs);
    views.push({
      name,
      rebuild: name.endsWith(REBUILD_SUFFIX),
      position: position.toString(),
      lag: await lagOf(position),
      state: stale ? 'stopped' : (status?.state ?? 'stopped'),
      note: stale
        ? `stored as running, but no heartbeat for ${Math.round((Date.now() - (lastSeen ?? 0)) / 1000)} s (process gone?)`
        : status
          ? null
          : 'never started',
      lastSeenAt: lastSeen === null ? null : new Date(lastSeen).toISOString(),
      lastError: status?.failure ?? null,
      quarantined: aside.filter((q) => q.name === name),
    });
  }
  return views;
};
