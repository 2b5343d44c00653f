import { DataSource, EntityManager } from 'typeorm';

export interface QuarantinedStream {
  readonly name: string;
  readonly streamId: string;
  readonly eventId: string;
  readonly position: string;
  readonly eventType: string;
  readonly error: string;
  readonly at: string;
}

interface Row {
  name: string;
  stream_id: string;
  event_id: string;
  position: string | number;
  event_type: string;
  error: string;
  quarantined_at: Date | string;
}

const toQuarantined = (r: Row): QuarantinedStream => ({
  name: r.name,
  streamId: r.stream_id,
  eventId: r.event_id,
  position: String(r.position),
  eventType: r.event_type,
  error: r.error,
  at: new Date(r.quarantined_at).toISOString(),
});

/**
 * A stream whose event a projection cannot apply is set aside for that projection: its row stays at
 * the last event that applied, its later events are skipped, and every other stream goes on. A
 * rebuild (after the fix) replays it from the start; its switch replaces these rows.
 */
export class QuarantineStore {
  constructor(private readonly dataSource: DataSource) {}

  async add(q: Omit<QuarantinedStream, 'at'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO projection_quarantine (name, stream_id, event_id, position, event_type, error, quarantined_at) VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (name, stream_id) DO NOTHING`,
      [q.name, q.streamId, q.eventId, q.position, q.eventType, q.error],
    );
  }

  async list(names?: readonly string[]): Promise<QuarantinedStream[]> {
    const rows: Row[] = names
      ? await this.dataSource.query('SELECT * FROM projection_quarantine WHERE name = ANY($1::text[]) ORDER BY position', [names])
      : await this.dataSource.query('SELECT * FROM projection_quarantine ORDER BY position');
    return rows.map(toQuarantined);
  }

  async forStream(streamId: string): Promise<QuarantinedStream[]> {
    const rows: Row[] = await this.dataSource.query('SELECT * FROM projection_quarantine WHERE stream_id = $1 ORDER BY name', [streamId]);
    return rows.map(toQuarantined);
  }
}

/** Inside a rebuild's switch: the rebuilt projection's quarantine becomes the live one's. */
export const switchQuarantine = async (em: EntityManager, pairs: readonly { live: string; shadow: string }[]): Promise<void> => {
  for (const { live, shadow } of pairs) {
    await em.query('DELETE FROM projection_quarantine WHERE name = $1', [live]);
    await em.query('UPDATE projection_quarantine SET name = $1 WHERE name = $2', [live, shadow]);
  }
};
