import type { EventStore } from '../port/event-store.port';
import type { SqlPool } from '../postgres/sql-pool';

export interface StoreLag {
  /** Events in the store after the position (all streams: dropped events still have to be read). */
  readonly events: number;
  /** When the oldest of them was recorded; null when there are none. */
  readonly oldestRecordedAt: string | null;
  /** True when `events` is a lower bound (the probe stopped counting). */
  readonly capped?: boolean;
}

export interface LagProbe {
  behind(position: bigint): Promise<StoreLag>;
}

/** Exact and one query, for the PostgreSQL event store (node-postgres or PGlite). */
export class SqlLagProbe implements LagProbe {
  constructor(private readonly pool: SqlPool) {}

  async behind(position: bigint): Promise<StoreLag> {
    const { rows } = await this.pool.query(
      'SELECT count(*) AS events, min(recorded_at) AS oldest FROM es_events WHERE position > $1::bigint',
      [position.toString()],
    );
    const oldest = rows[0]?.oldest;
    return { events: Number(rows[0]?.events ?? 0), oldestRecordedAt: oldest ? new Date(oldest).toISOString() : null };
  }
}

/** Any adapter, through the port: pages the log and stops counting at `cap`. */
export class PagedLagProbe implements LagProbe {
  constructor(
    private readonly store: EventStore,
    private readonly cap = 10_000,
    private readonly page = 1_000,
  ) {}

  async behind(position: bigint): Promise<StoreLag> {
    let events = 0;
    let oldest: string | null = null;
    let from = position;
    while (events < this.cap) {
      const batch = await this.store.readAll({ fromPosition: from, limit: this.page });
      if (batch.length === 0) return { events, oldestRecordedAt: oldest };
      oldest ??= batch[0].recordedAt;
      events += batch.length;
      from = batch[batch.length - 1].position;
    }
    return { events, oldestRecordedAt: oldest, capped: true };
  }
}
