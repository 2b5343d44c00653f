import { Body, Controller, Get, HttpCode, Param, Post, Query as QueryParam, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { parsePosition, requestContext, requireIdempotencyKey } from '../http/request-context';
import { uuidParam } from '../http/params';
import { RenewSubscriptionCommand } from './renew-subscription.command';
import { RenewSubscriptionRequestDto } from './renew-subscription.request.dto';
import { GetRenewalQuery } from './get-renewal.query';

@ApiTags('renewals')
@Controller('v1/subscriptions/:id/renewals')
export class RenewalsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'the same key and body answer the first result and charge once' })
  renew(@Param('id') id: string, @Body() body: RenewSubscriptionRequestDto, @Req() req: FastifyRequest) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    return this.commands.execute(new RenewSubscriptionCommand(subscriptionId, requireIdempotencyKey(req), body, requestContext(req)));
  }

  @Get(':renewalId')
  @ApiQuery({ name: 'minPosition', required: false })
  get(@Param('id') id: string, @Param('renewalId') renewalId: string, @QueryParam('minPosition') minPosition?: string) {
    return this.queries.execute(
      new GetRenewalQuery(uuidParam(id, 'subscriptionId'), uuidParam(renewalId, 'renewalId'), parsePosition(minPosition, 'minPosition')),
    );
  }
}
