import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, Region, accountDecider, accountStreamId, subscriptionDecider, subscriptionStreamId } from '@ledger/domain';
import { EventStore, fold, handleCommand } from '@ledger/event-store';
import { RequestContext, eventMetadata } from '../http/request-context';
import { DATA_SOURCE, EVENT_STORE } from '../infrastructure/tokens';
import { DataSource } from 'typeorm';

export class OpenSubscriptionCommand extends Command<{ subscriptionId: string; position: string }> {
  constructor(
    readonly body: { readonly accountId: string; readonly iccid: string; readonly region: Region },
    readonly ctx: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(OpenSubscriptionCommand)
export class OpenSubscriptionHandler implements ICommandHandler<OpenSubscriptionCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {}

  async execute({ body, ctx }: OpenSubscriptionCommand): Promise<{ subscriptionId: string; position: string }> {
    const account = fold(
      accountDecider.evolve,
      accountDecider.initialState(),
      await this.store.readStream(accountStreamId(body.accountId)),
    );
    if (account.status !== 'Registered')
      throw new DomainError('ACCOUNT_NOT_FOUND', `account ${body.accountId} does not exist`, 'accountId');
    const subscriptionId = randomUUID();
    // The ICCID is claimed before the card is written, so two cards can never share one SIM.
    const claimed = await this.db.query(
      'INSERT INTO card_iccid (iccid, subscription_id, account_id) VALUES ($1, $2, $3) ON CONFLICT (iccid) DO NOTHING RETURNING iccid',
      [body.iccid, subscriptionId, body.accountId],
    );
    if (claimed.length === 0) throw new DomainError('ICCID_IN_USE', `ICCID ${body.iccid} already belongs to a card`, 'iccid');
    try {
      const result = await handleCommand(
        this.store,
        subscriptionStreamId(subscriptionId),
        subscriptionDecider,
        { type: 'OpenSubscription', subscriptionId, accountId: body.accountId, iccid: body.iccid, region: body.region, now: ctx.now },
        { metadata: eventMetadata(ctx, ctx.commandId) },
      );
      return { subscriptionId, position: result.appended[result.appended.length - 1].position.toString() };
    } catch (err) {
      // Nothing was written for this card: give the ICCID back.
      await this.db.query('DELETE FROM card_iccid WHERE subscription_id = $1', [subscriptionId]).catch(() => undefined);
      throw err;
    }
  }
}
