import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActiveCard, dataRemainingMb, subscriptionDecider, subscriptionStreamId } from '@ledger/domain';
import { EventStore, handleCommand } from '@ledger/event-store';
import { RequestContext, eventMetadata } from '../http/request-context';
import { EVENT_STORE } from '../infrastructure/tokens';

export interface UsageAnswer {
  usageId: string;
  mb: number;
  dataRemainingMb: number;
  position: string;
}

export class RecordUsageCommand extends Command<UsageAnswer> {
  constructor(
    readonly subscriptionId: string,
    readonly usageId: string,
    readonly mb: number,
    readonly ctx: RequestContext,
  ) {
    super();
  }
}

/** Idempotent by usageId: the decider answers a replay with no events, and we answer with the original. */
@CommandHandler(RecordUsageCommand)
export class RecordUsageHandler implements ICommandHandler<RecordUsageCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ subscriptionId, usageId, mb, ctx }: RecordUsageCommand): Promise<UsageAnswer> {
    const result = await handleCommand(
      this.store,
      subscriptionStreamId(subscriptionId),
      subscriptionDecider,
      { type: 'RecordUsage', usageId, mb, now: ctx.now },
      { metadata: eventMetadata(ctx, `usage:${usageId}`) },
    );
    const recorded = result.stream.find((e) => e.type === 'DataUsageRecorded' && (e.data as { usageId: string }).usageId === usageId);
    return {
      usageId,
      mb,
      dataRemainingMb: dataRemainingMb(result.state as ActiveCard),
      position: (recorded?.position ?? 0n).toString(),
    };
  }
}
