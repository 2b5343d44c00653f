import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, accountDecider, accountStreamId, subscriptionDecider, subscriptionStreamId } from '@ledger/domain';
import { EventStore, fold, handleCommand } from '@ledger/event-store';
import { RequestContext, eventMetadata } from '../http/request-context';
import { EVENT_STORE } from '../infrastructure/tokens';
import { OpenSubscriptionRequestDto } from './open-subscription.request.dto';

export class OpenSubscriptionCommand extends Command<{ subscriptionId: string; position: string }> {
  constructor(
    readonly body: OpenSubscriptionRequestDto,
    readonly ctx: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(OpenSubscriptionCommand)
export class OpenSubscriptionHandler implements ICommandHandler<OpenSubscriptionCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ body, ctx }: OpenSubscriptionCommand): Promise<{ subscriptionId: string; position: string }> {
    const account = fold(
      accountDecider.evolve,
      accountDecider.initialState(),
      await this.store.readStream(accountStreamId(body.accountId)),
    );
    if (account.status !== 'Registered')
      throw new DomainError('ACCOUNT_NOT_FOUND', `account ${body.accountId} does not exist`, 'accountId');
    const subscriptionId = randomUUID();
    const result = await handleCommand(
      this.store,
      subscriptionStreamId(subscriptionId),
      subscriptionDecider,
      { type: 'OpenSubscription', subscriptionId, accountId: body.accountId, iccid: body.iccid, region: body.region, now: ctx.now },
      { metadata: eventMetadata(ctx, ctx.commandId) },
    );
    return { subscriptionId, position: result.appended[result.appended.length - 1].position.toString() };
  }
}
