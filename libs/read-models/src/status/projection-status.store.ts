import { DataSource } from 'typeorm';
import { ProjectionState } from './projection-status.entity';

export interface ProjectionFailure {
  readonly eventId: string | null;
  readonly position: string | null;
  readonly error: string;
}

export interface StoredStatus {
  readonly name: string;
  readonly state: ProjectionState;
  readonly failure: (ProjectionFailure & { readonly at: string }) | null;
  readonly heartbeatAt: string;
}

/** Persists what a runner knows about its projections, so `projections status` in another process can tell. */
export class ProjectionStatusStore {
  constructor(private readonly dataSource: DataSource) {}

  async markRunning(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO projection_status (name, state, changed_at, heartbeat_at) SELECT n, 'running', now(), now() FROM unnest($1::text[]) AS n
       ON CONFLICT (name) DO UPDATE SET state = 'running', failed_event_id = NULL, failed_position = NULL, error = NULL, changed_at = now(), heartbeat_at = now()`,
      [names],
    );
  }

  async markStopped(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.dataSource.query(
      `UPDATE projection_status SET state = 'stopped', changed_at = now() WHERE name = ANY($1::text[]) AND state = 'running'`,
      [names],
    );
  }

  async markFailed(names: readonly string[], f: ProjectionFailure): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO projection_status (name, state, failed_event_id, failed_position, error, changed_at, heartbeat_at)
       SELECT n, 'failed', $2, $3::bigint, $4, now(), now() FROM unnest($1::text[]) AS n
       ON CONFLICT (name) DO UPDATE SET state = 'failed', failed_event_id = $2, failed_position = $3::bigint, error = $4, changed_at = now()`,
      [names, f.eventId, f.position, f.error],
    );
  }

  async heartbeat(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.dataSource.query(`UPDATE projection_status SET heartbeat_at = now() WHERE name = ANY($1::text[]) AND state = 'running'`, [
      names,
    ]);
  }

  async read(): Promise<StoredStatus[]> {
    const rows: any[] = await this.dataSource.query('SELECT * FROM projection_status ORDER BY name');
    return rows.map((r) => ({
      name: r.name,
      state: r.state,
      heartbeatAt: new Date(r.heartbeat_at).toISOString(),
      failure:
        r.state === 'failed' || r.error !== null
          ? {
              eventId: r.failed_event_id,
              position: r.failed_position === null ? null : String(r.failed_position),
              error: r.error,
              at: new Date(r.changed_at).toISOString(),
            }
          : null,
    }));
  }
}
