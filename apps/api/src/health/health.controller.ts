import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { EventStore } from '@ledger/event-store';
import { ProjectionPosition } from '@ledger/read-models';
import { DATA_SOURCE, EVENT_STORE, PROJECTION_POSITION } from '../infrastructure/tokens';
import { ProblemException } from '../http/problem';

interface StatusRow {
  name: string;
  state: string;
  failed_event_id: string | null;
  failed_position: string | number | null;
  error: string | null;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_POSITION) private readonly projection: ProjectionPosition,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  /**
   * 200 when both stores answer. A projection stopped on a poison event keeps the API serving (reads
   * are stale, writes are fine), so it shows as "degraded" with the event, not as a failed check.
   */
  @Get()
  async health() {
    let statuses: StatusRow[];
    let projected: bigint;
    try {
      await this.store.readAll({ limit: 1 });
      projected = await this.projection.current();
      statuses = await this.dataSource.query(
        'SELECT name, state, failed_event_id, failed_position, error FROM projection_status ORDER BY name',
      );
    } catch (err) {
      throw new ProblemException(503, 'UNHEALTHY', `a backing store does not answer: ${(err as Error).message}`);
    }
    const failed = statuses.filter((s) => s.state === 'failed');
    return {
      status: failed.length ? 'degraded' : 'ok',
      projection: { position: projected.toString() },
      projections: statuses.map((s) => ({
        name: s.name,
        state: s.state,
        ...(s.state === 'failed' ? { failedEventId: s.failed_event_id, failedPosition: String(s.failed_position), error: s.error } : {}),
      })),
    };
  }
}
