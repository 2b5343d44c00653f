import { Controller, Get, Inject, Req } from '@nestjs/common';
import { AuthenticatedRequest } from '../auth/access.guard';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { EventStore } from '@ledger/event-store';
import { ProjectionPosition, QuarantineStore, QuarantinedStream } from '@ledger/read-models';
import { DATA_SOURCE, EVENT_STORE, PROJECTION_POSITION } from '../infrastructure/tokens';
import { ProblemException } from '../http/problem';
import { Public } from '../auth/access.decorator';

interface StatusRow {
  name: string;
  state: string;
  failed_event_id: string | null;
  failed_position: string | number | null;
  error: string | null;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_POSITION) private readonly projection: ProjectionPosition,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  /**
   * 200 when both stores answer. A projection stopped on a poison event, or a card it set aside,
   * keeps the API serving (writes are fine), so it shows as "degraded" with the event, not as a failed check.
   */
  /** Anyone sees the states; only staff see event ids, cards and error texts. */
  @Get()
  async health(@Req() req: AuthenticatedRequest) {
    const staff = req.subject?.kind === 'staff';
    let statuses: StatusRow[];
    let projected: bigint;
    let aside: QuarantinedStream[] = [];
    try {
      await this.store.readAll({ limit: 1 });
      projected = await this.projection.current();
      statuses = await this.dataSource.query(
        'SELECT name, state, failed_event_id, failed_position, error FROM projection_status ORDER BY name',
      );
      aside = await new QuarantineStore(this.dataSource).list();
    } catch (err) {
      throw new ProblemException(503, 'UNHEALTHY', `a backing store does not answer${staff ? `: ${(err as Error).message}` : ''}`);
    }
    const failed = statuses.filter((s) => s.state === 'failed');
    return {
      status: failed.length || aside.length ? 'degraded' : 'ok',
      projection: { position: projected.toString() },
      projections: statuses.map((s) => ({
        name: s.name,
        state: s.state,
        ...(s.state === 'failed' && staff
          ? { failedEventId: s.failed_event_id, failedPosition: String(s.failed_position), error: s.error }
          : {}),
        quarantinedCount: aside.filter((q) => q.name === s.name).length,
        quarantined: (staff ? aside : [])
          .filter((q) => q.name === s.name)
          .map((q) => ({ streamId: q.streamId, eventId: q.eventId, eventType: q.eventType, position: q.position, error: q.error })),
      })),
    };
  }
}
