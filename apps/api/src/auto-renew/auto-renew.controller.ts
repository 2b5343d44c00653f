import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AutoRenew,
  DomainError,
  autoRenewDecider,
  autoRenewStreamId,
  findPlan,
  monthOf,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import { StreamStates, handleCommand } from '@ledger/event-store';
import { Identity } from '@ledger/identity';
import { Allow, CARD_READERS } from '../auth/access.decorator';
import { AuthenticatedRequest } from '../auth/access.guard';
import { CardAccess } from '../auth/card-access';
import { uuidParam } from '../http/params';
import { eventMetadata, requestContext } from '../http/request-context';
import { IDENTITY, STREAM_STATES } from '../infrastructure/tokens';
import { sealToken } from '../renewals/payment-token';
import { AutoRenewRequestDto } from './auto-renew.request.dto';

export interface AutoRenewView {
  enabled: boolean;
  planId: string | null;
  paymentMethod: string | null;
  monthlyCap: { amountMinor: number; currency: string } | null;
  /** Attempted this calendar month (UTC), in minor units. */
  spentThisMonth: number;
}

const view = (s: AutoRenew, now: string): AutoRenewView => ({
  enabled: s.status === 'On',
  planId: s.status === 'On' ? s.planId : null,
  paymentMethod: s.status === 'On' ? s.paymentMethod : null,
  monthlyCap: s.status === 'On' ? { ...s.monthlyCap } : null,
  spentThisMonth: s.spent[monthOf(now)] ?? 0,
});

/** The owner's opt-in: renew a chosen plan when a reminder is due, with a saved method and a monthly cap; DELETE is the off switch. */
@ApiTags('auto-renew')
@ApiBearerAuth('bearer')
@Controller('v1/subscriptions/:id/auto-renew')
export class AutoRenewController {
  constructor(
    @Inject(STREAM_STATES) private readonly states: StreamStates,
    @Inject(IDENTITY) private readonly identity: Pick<Identity, 'vault'>,
    private readonly cards: CardAccess,
  ) {}

  @Get()
  @Allow(CARD_READERS)
  async get(@Param('id') id: string, @Req() req: AuthenticatedRequest): Promise<AutoRenewView> {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    const { state } = await this.states.current(autoRenewStreamId(subscriptionId), autoRenewDecider);
    return view(state, new Date().toISOString());
  }

  @Put()
  @Allow(['owner'])
  async enable(@Param('id') id: string, @Body() body: AutoRenewRequestDto, @Req() req: AuthenticatedRequest): Promise<AutoRenewView> {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    const { state: card } = await this.states.current(subscriptionStreamId(subscriptionId), subscriptionDecider);
    if (card.status !== 'Active') throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not exist`);
    const plan = findPlan(body.planId);
    if (!plan) throw new DomainError('PLAN_NOT_FOUND', `plan ${body.planId} does not exist`, 'planId');
    if (plan.region !== card.region)
      throw new DomainError('PLAN_NOT_IN_REGION', `plan ${plan.planId} is sold in ${plan.region}, the card is in ${card.region}`, 'planId');
    const ctx = requestContext(req);
    const result = await handleCommand(
      this.states,
      autoRenewStreamId(subscriptionId),
      autoRenewDecider,
      {
        type: 'EnableAutoRenew',
        subscriptionId,
        planId: plan.planId,
        paymentMethod: body.paymentMethod.type,
        sealedToken: sealToken(this.identity.vault, body.paymentMethod.token),
        monthlyCap: { amountMinor: body.monthlyCapMinor, currency: plan.listPrice.currency },
        now: ctx.now,
      },
      { metadata: eventMetadata(ctx, `auto-renew:${ctx.commandId}`) },
    );
    return view(result.state, ctx.now);
  }

  @Delete()
  @HttpCode(204)
  @Allow(['owner'])
  async disable(@Param('id') id: string, @Req() req: AuthenticatedRequest): Promise<void> {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    await this.cards.check(req.subject, subscriptionId);
    const ctx = requestContext(req);
    await handleCommand(
      this.states,
      autoRenewStreamId(subscriptionId),
      autoRenewDecider,
      { type: 'DisableAutoRenew', now: ctx.now },
      {
        metadata: eventMetadata(ctx, `auto-renew:${ctx.commandId}`),
      },
    );
  }
}
