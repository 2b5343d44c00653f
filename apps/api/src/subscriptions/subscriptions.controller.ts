import { Body, Controller, Get, HttpCode, Param, Post, Query as QueryParam, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parsePosition, requestContext } from '../http/request-context';
import { uuidParam } from '../http/params';
import { OpenSubscriptionCommand } from './open-subscription.handler';
import { OpenSubscriptionRequestDto } from './open-subscription.request.dto';
import { GetSubscriptionQuery } from './get-subscription.query';
import { GetSubscriptionEventsQuery } from './get-events.query';
import { GetSubscriptionAsOfQuery } from './get-subscription-as-of.query';
import { ProblemException } from '../http/problem';
import { Allow, CARD_READERS } from '../auth/access.decorator';
import { AuthenticatedRequest } from '../auth/access.guard';
import { CardAccess } from '../auth/card-access';

@ApiTags('subscriptions')
@ApiBearerAuth('bearer')
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly cards: CardAccess,
  ) {}

  @Post()
  @HttpCode(201)
  @Allow(['owner'])
  open(@Body() body: OpenSubscriptionRequestDto, @Req() req: AuthenticatedRequest) {
    // An owner opens cards under their own account only; naming another is answered as if it did not exist.
    const accountId = req.subject!.id;
    if (body.accountId !== undefined && body.accountId.toLowerCase() !== accountId) {
      throw new ProblemException(404, 'ACCOUNT_NOT_FOUND', `account ${body.accountId} does not exist`, 'accountId');
    }
    return this.commands.execute(new OpenSubscriptionCommand({ accountId, iccid: body.iccid, region: body.region }, requestContext(req)));
  }

  @Get(':id')
  @ApiQuery({ name: 'minPosition', required: false, description: 'wait (bounded) until the read model has applied this log position' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant: the card as it was then, computed from the events' })
  @Allow(CARD_READERS)
  async get(
    @Param('id') id: string,
    @Req() req: AuthenticatedRequest,
    @QueryParam('minPosition') minPosition?: string,
    @QueryParam('asOf') asOf?: string,
  ) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    if (asOf !== undefined) {
      if (!/^\d{4}-\d{2}-\d{2}T/.test(asOf) || Number.isNaN(Date.parse(asOf))) {
        throw new ProblemException(400, 'VALIDATION_FAILED', 'asOf must be an ISO-8601 date-time such as 2026-11-25T12:00:00Z', 'asOf');
      }
      return this.queries.execute(new GetSubscriptionAsOfQuery(subscriptionId, asOf));
    }
    return this.queries.execute(
      new GetSubscriptionQuery(subscriptionId, parsePosition(minPosition, 'minPosition'), new Date().toISOString()),
    );
  }

  @Get(':id/events')
  @Allow(['owner', 'support', 'auditor'])
  async events(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    return this.queries.execute(new GetSubscriptionEventsQuery(subscriptionId));
  }
}
