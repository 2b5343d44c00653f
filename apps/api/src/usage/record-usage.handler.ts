import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, DomainErrorCode } from '@ledger/domain';
import { StreamStates } from '@ledger/event-store';
import { RequestContext, eventMetadata } from '../http/request-context';
import { STREAM_STATES } from '../infrastructure/tokens';
import { recordCardUsage } from './usage-recording';

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

/** One record on one card: idempotent by usageId (a replay answers 201 again and counts once). */
@CommandHandler(RecordUsageCommand)
export class RecordUsageHandler implements ICommandHandler<RecordUsageCommand> {
  constructor(@Inject(STREAM_STATES) private readonly states: StreamStates) {}

  async execute({ subscriptionId, usageId, mb, ctx }: RecordUsageCommand): Promise<UsageAnswer> {
    const [outcome] = await recordCardUsage(this.states, subscriptionId, [{ usageId, mb, now: ctx.now }], (key) => eventMetadata(ctx, key));
    if (outcome.status === 'refused') throw new DomainError(outcome.code as DomainErrorCode, outcome.detail, outcome.field);
    return { usageId, mb, dataRemainingMb: outcome.dataRemainingMb, position: outcome.position };
  }
}
