import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EventStore } from '@ledger/event-store';
import { ProjectionPosition } from '@ledger/read-models';
import { EVENT_STORE, PROJECTION_POSITION } from '../infrastructure/tokens';
import { ProblemException } from '../http/problem';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_POSITION) private readonly projection: ProjectionPosition,
  ) {}

  /** Up when both stores answer; reports how far the log and the read models are. */
  @Get()
  async health() {
    try {
      const [last] = await this.store.readAll({ limit: 1, fromPosition: undefined });
      const projected = await this.projection.current();
      return { status: 'ok', eventStore: { reachable: true, hasEvents: last !== undefined }, projection: { position: projected.toString() } };
    } catch (err) {
      throw new ProblemException(503, 'UNHEALTHY', `a backing store does not answer: ${(err as Error).message}`);
    }
  }
}
