import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { accountDecider, accountStreamId } from '@ledger/domain';
import { EventStore, handleCommand } from '@ledger/event-store';
import { AccountContactEntity } from '@ledger/read-models';
import { RequestContext, eventMetadata } from '../http/request-context';
import { DATA_SOURCE, EVENT_STORE } from '../infrastructure/tokens';

export class RegisterAccountCommand extends Command<{ accountId: string; position: string }> {
  constructor(
    readonly phoneNumber: string,
    readonly ctx: RequestContext,
  ) {
    super();
  }
}

/** The contact row is written first: an account event never exists without its owner's contact. */
@CommandHandler(RegisterAccountCommand)
export class RegisterAccountHandler implements ICommandHandler<RegisterAccountCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  async execute({ phoneNumber, ctx }: RegisterAccountCommand): Promise<{ accountId: string; position: string }> {
    const accountId = randomUUID();
    await this.dataSource.getRepository(AccountContactEntity).insert({ accountId, phoneNumber, createdAt: new Date(ctx.now) });
    const result = await handleCommand(
      this.store,
      accountStreamId(accountId),
      accountDecider,
      { type: 'RegisterAccount', accountId, now: ctx.now },
      {
        metadata: eventMetadata(ctx, ctx.commandId),
      },
    );
    return { accountId, position: result.appended[result.appended.length - 1].position.toString() };
  }
}
