import { Controller, Get, Query as QueryParam } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { PLAN_CATALOGUE, REGIONS, isRegion } from '@ledger/domain';
import { ProblemException } from '../http/problem';
import { Public } from '../auth/access.decorator';

@ApiTags('plans')
@Public()
@Controller('v1/plans')
export class PlansController {
  @Get()
  @ApiQuery({ name: 'region', required: false, enum: REGIONS })
  @ApiOkResponse({ description: '{ plans: Plan[] } with list prices in minor units' })
  list(@QueryParam('region') region?: string) {
    if (region !== undefined && !isRegion(region)) {
      throw new ProblemException(400, 'VALIDATION_FAILED', `region must be one of ${REGIONS.join(', ')}`, 'region');
    }
    return { plans: PLAN_CATALOGUE.filter((p) => region === undefined || p.region === region) };
  }
}
