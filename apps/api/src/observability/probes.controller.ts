import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { EventStore } from '@ledger/event-store';
import { DATA_SOURCE, EVENT_STORE } from '../infrastructure/tokens';
import { Public } from '../auth/access.decorator';
import { timed } from '@ledger/observability';

/**
 * Kubernetes-style probes in @nestjs/terminus' shape (`{status, info, error, details}`):
 * live answers while the process serves HTTP at all; ready while both stores answer. The API
 * listens only after its migrations ran, so while migrating it is not ready (nothing answers).
 * GET /health keeps the detailed view (projections, cards set aside).
 */
@ApiExcludeController()
@Public()
@Controller('health')
export class ProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  @Get('live')
  live(@Res() reply: FastifyReply): Promise<void> {
    return this.answer(reply, []);
  }

  @Get('ready')
  ready(@Res() reply: FastifyReply): Promise<void> {
    return this.answer(reply, [
      this.probe('eventStore', () => this.store.readAll({ limit: 1 })),
      this.probe('readModels', () => this.dataSource.query('SELECT 1')),
    ]);
  }

  private probe(key: string, query: () => Promise<unknown>) {
    return async () => {
      const { up, ...detail } = await timed(async () => (await query(), { up: true }));
      return up ? this.indicator.check(key).up() : this.indicator.check(key).down(detail);
    };
  }

  /** Terminus answers a failed check by throwing 503 with its body; sent as is, not as problem+json. */
  private async answer(reply: FastifyReply, checks: Parameters<HealthCheckService['check']>[0]): Promise<void> {
    reply.header('cache-control', 'no-store');
    try {
      reply.code(200).send(await this.health.check(checks));
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      reply.code(503).send(err.getResponse());
    }
  }
}
