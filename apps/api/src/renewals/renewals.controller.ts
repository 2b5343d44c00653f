import { Body, Controller, Get, HttpCode, Param, Post, Query as QueryParam, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow, CARD_READERS } from '../auth/access.decorator';
import { AuthenticatedRequest } from '../auth/access.guard';
import { CardAccess } from '../auth/card-access';
import { parsePosition, requestContext, requireIdempotencyKey } from '../http/request-context';
import { uuidParam } from '../http/params';
import { RenewSubscriptionCommand } from './renew-subscription.command';
import { RenewSubscriptionRequestDto } from './renew-subscription.request.dto';
import { GetRenewalQuery } from './get-renewal.query';

@ApiTags('renewals')
@ApiBearerAuth('bearer')
@Controller('v1/subscriptions/:id/renewals')
export class RenewalsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly cards: CardAccess,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'the same key and body answer the first result and charge once' })
  @Allow(['owner'])
  async renew(@Param('id') id: string, @Body() body: RenewSubscriptionRequestDto, @Req() req: AuthenticatedRequest) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    const { planId, paymentMethod, promotionCode } = body;
    return this.commands.execute(
      new RenewSubscriptionCommand(
        subscriptionId,
        requireIdempotencyKey(req),
        planId,
        paymentMethod.type,
        paymentMethod.token,
        promotionCode,
        requestContext(req),
      ),
    );
  }

  @Get(':renewalId')
  @ApiQuery({ name: 'minPosition', required: false })
  @Allow(CARD_READERS)
  async get(
    @Param('id') id: string,
    @Param('renewalId') renewalId: string,
    @Req() req: AuthenticatedRequest,
    @QueryParam('minPosition') minPosition?: string,
  ) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    return this.queries.execute(
      new GetRenewalQuery(subscriptionId, uuidParam(renewalId, 'renewalId'), parsePosition(minPosition, 'minPosition')),
    );
  }
}
