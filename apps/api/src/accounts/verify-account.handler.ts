import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { accountDecider, accountStreamId } from '@ledger/domain';
import { EventStore, handleCommand } from '@ledger/event-store';
import { RequestContext, eventMetadata } from '../http/request-context';
import { EVENT_STORE } from '../infrastructure/tokens';

export class VerifyAccountCommand extends Command<{ position: string | null }> {
  constructor(
    readonly accountId: string,
    readonly ctx: RequestContext,
  ) {
    super();
  }
}

/**
 * The account enters the ledger when its phone is proven: AccountRegistered, caused by the owner.
 * Idempotent by account id, so a verification retried after a crash appends it once.
 */
@CommandHandler(VerifyAccountCommand)
export class VerifyAccountHandler implements ICommandHandler<VerifyAccountCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ accountId, ctx }: VerifyAccountCommand): Promise<{ position: string | null }> {
    const result = await handleCommand(
      this.store,
      accountStreamId(accountId),
      accountDecider,
      { type: 'RegisterAccount', accountId, now: ctx.now },
      {
        metadata: eventMetadata(ctx, `register:${accountId}`),
      },
    );
    const last = result.stream.find((e) => e.type === 'AccountRegistered');
    return { position: last ? last.position.toString() : null };
  }
}
