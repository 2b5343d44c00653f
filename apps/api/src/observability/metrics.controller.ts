import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { METRICS_CONTENT_TYPE, metricsText } from '@ledger/observability';
import { Public } from '../auth/access.decorator';

/**
 * Prometheus' scrape target. Unauthenticated like the probes, as scrapers expect: its labels are
 * route templates, types and names, never ids or personal data. Keep it off the public internet
 * with the network (see docs/observability.md), as any /metrics.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', METRICS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  metrics(): Promise<string> {
    return metricsText();
  }
}
