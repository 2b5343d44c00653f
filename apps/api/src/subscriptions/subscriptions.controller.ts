import { Body, Controller, Get, HttpCode, Param, Post, Query as QueryParam, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { parsePosition, requestContext } from '../http/request-context';
import { uuidParam } from '../http/params';
import { OpenSubscriptionCommand } from './open-subscription.handler';
import { OpenSubscriptionRequestDto } from './open-subscription.request.dto';
import { GetSubscriptionQuery } from './get-subscription.query';
import { GetSubscriptionEventsQuery } from './get-events.query';

@ApiTags('subscriptions')
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  open(@Body() body: OpenSubscriptionRequestDto, @Req() req: FastifyRequest) {
    return this.commands.execute(new OpenSubscriptionCommand(body, requestContext(req)));
  }

  @Get(':id')
  @ApiQuery({ name: 'minPosition', required: false, description: 'wait (bounded) until the read model has applied this log position' })
  get(@Param('id') id: string, @QueryParam('minPosition') minPosition?: string) {
    return this.queries.execute(new GetSubscriptionQuery(uuidParam(id, 'subscriptionId'), parsePosition(minPosition, 'minPosition'), new Date().toISOString()));
  }

  @Get(':id/events')
  events(@Param('id') id: string) {
    return this.queries.execute(new GetSubscriptionEventsQuery(uuidParam(id, 'subscriptionId')));
  }
}
