import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, Region, accountDecider, accountStreamId, subscriptionDecider, subscriptionStreamId } from '@ledger/domain';
import { EventStore, StreamStates, fold, handleCommand } from '@ledger/event-store';
import { RequestContext, eventMetadata } from '../http/request-context';
import { DATA_SOURCE, EVENT_STORE, STREAM_STATES } from '../infrastructure/tokens';
import { DataSource } from 'typeorm';
import { returning } from '@ledger/identity';

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
    @Inject(STREAM_STATES) private readonly states: StreamStates,
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
    if (!(await this.claimIccid(body.iccid, subscriptionId, body.accountId))) {
      throw new DomainError('ICCID_IN_USE', `ICCID ${body.iccid} already belongs to a card`, 'iccid');
    }
    {
      const result = await handleCommand(
        this.states,
        subscriptionStreamId(subscriptionId),
        subscriptionDecider,
        { type: 'OpenSubscription', subscriptionId, accountId: body.accountId, iccid: body.iccid, region: body.region, now: ctx.now },
        { metadata: eventMetadata(ctx, ctx.commandId) },
      );
      return { subscriptionId, position: result.position.toString() };
    }
  }

  /**
   * A claim whose card was never written (the append failed, or the process died in between) is
   * taken over; a claim is never given back on an error, since the card may have been written anyway.
   */
  private async claimIccid(iccid: string, subscriptionId: string, accountId: string): Promise<boolean> {
    const claimed = await this.db.query(
      'INSERT INTO card_iccid (iccid, subscription_id, account_id) VALUES ($1, $2, $3) ON CONFLICT (iccid) DO NOTHING RETURNING iccid',
      [iccid, subscriptionId, accountId],
    );
    if (claimed.length) return true;
    // Only a claim a minute old: a younger one may belong to an open still being written.
    const [held] = await this.db.query(
      "SELECT subscription_id FROM card_iccid WHERE iccid = $1 AND claimed_at < now() - interval '1 minute'",
      [iccid],
    );
    if (!held || (await this.store.readStream(subscriptionStreamId(held.subscription_id))).length > 0) return false;
    const taken = await returning(
      this.db,
      'UPDATE card_iccid SET subscription_id = $2, account_id = $3, claimed_at = now() WHERE iccid = $1 AND subscription_id = $4 RETURNING iccid',
      [iccid, subscriptionId, accountId, held.subscription_id],
    );
    return taken.length === 1;
  }
}
