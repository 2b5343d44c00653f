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
import { GetOffersQuery } from '../renewals/get-offers.query';
import { FindCardsQuery } from './find-cards.query';
import { VerifyCardQuery } from './verify-card.query';
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

  /** Support finds a card by its ICCID or an account's cards; an owner lists their own at /v1/accounts/me. */
  @Get()
  @ApiQuery({ name: 'iccid', required: false, description: 'the 19–20 digits printed on the card' })
  @ApiQuery({ name: 'accountId', required: false })
  @Allow(['support', 'finance', 'auditor'])
  find(@QueryParam('iccid') iccid?: string, @QueryParam('accountId') accountId?: string) {
    if (iccid === undefined && accountId === undefined)
      throw new ProblemException(400, 'VALIDATION_FAILED', 'give iccid or accountId', 'iccid');
    if (iccid !== undefined && !/^\d{19,20}$/.test(iccid.replace(/\s/g, '')))
      throw new ProblemException(400, 'VALIDATION_FAILED', 'iccid must be the 19–20 digits printed on the card', 'iccid');
    return this.queries.execute(
      new FindCardsQuery(iccid?.replace(/\s/g, ''), accountId === undefined ? undefined : uuidParam(accountId, 'accountId')),
    );
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

  @Get(':id/offers')
  @ApiQuery({ name: 'promotionCode', required: false, description: 'a coupon to apply, as it would be at renewal' })
  @Allow(CARD_READERS)
  async offers(@Param('id') id: string, @Req() req: AuthenticatedRequest, @QueryParam('promotionCode') promotionCode?: string) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    if (promotionCode !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(promotionCode)) {
      throw new ProblemException(400, 'VALIDATION_FAILED', 'promotionCode must be 1–32 letters, digits, - or _', 'promotionCode');
    }
    return this.queries.execute(new GetOffersQuery(subscriptionId, promotionCode, new Date().toISOString()));
  }

  @Get(':id/verification')
  @Allow(CARD_READERS)
  async verification(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    return this.queries.execute(new VerifyCardQuery(subscriptionId));
  }

  @Get(':id/events')
  @Allow(['owner', 'support', 'auditor'])
  async events(@Param('id') id: string, @Req() req: AuthenticatedRequest) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    return this.queries.execute(new GetSubscriptionEventsQuery(subscriptionId));
  }
}
