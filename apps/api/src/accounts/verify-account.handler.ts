import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { accountDecider, accountStreamId } from '@ledger/domain';
import { StreamStates, handleCommand } from '@ledger/event-store';
import { RequestContext, eventMetadata } from '../http/request-context';
import { STREAM_STATES } from '../infrastructure/tokens';

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
  constructor(@Inject(STREAM_STATES) private readonly states: StreamStates) {}

  async execute({ accountId, ctx }: VerifyAccountCommand): Promise<{ position: string | null }> {
    const result = await handleCommand(
      this.states,
      accountStreamId(accountId),
      accountDecider,
      { type: 'RegisterAccount', accountId, now: ctx.now },
      {
        metadata: eventMetadata(ctx, `register:${accountId}`),
      },
    );
    // A retry answers the stream's head: read-your-writes needs a position at or after the registration.
    return { position: result.revision >= 0 ? result.position.toString() : null };
  }
}
