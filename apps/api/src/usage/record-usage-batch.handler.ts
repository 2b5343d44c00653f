import { Inject, Logger } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ConcurrencyError, StreamStates } from '@ledger/event-store';
import { LATE_USAGE_MS } from '@ledger/domain';
import { RequestContext, eventMetadata } from '../http/request-context';
import { STREAM_STATES } from '../infrastructure/tokens';
import { UsageOutcome, UsageRecord, recordUsage } from './usage-recording';
import { UsageBatchRecordDto } from './usage-batch.request.dto';

export type BatchOutcome = UsageOutcome & { readonly index: number; readonly subscriptionId: string };

export interface BatchAnswer {
  readonly accepted: number;
  readonly duplicate: number;
  readonly refused: number;
  readonly results: readonly BatchOutcome[];
}

export class RecordUsageBatchCommand extends Command<BatchAnswer> {
  constructor(
    readonly records: readonly UsageBatchRecordDto[],
    readonly ctx: RequestContext,
  ) {
    super();
  }
}

/** The card watch forfeits a bucket only once usage measured before its end can no longer arrive. */
const MAX_AGE_MS = LATE_USAGE_MS;
const MAX_AHEAD_MS = 5 * 60_000;

/**
 * The network's bulk feed: records for many cards, answered per record. A refused record (unknown
 * card, not enough data, a reused id, a time out of range) refuses only itself.
 */
@CommandHandler(RecordUsageBatchCommand)
export class RecordUsageBatchHandler implements ICommandHandler<RecordUsageBatchCommand> {
  private readonly logger = new Logger('UsageBatch');

  constructor(@Inject(STREAM_STATES) private readonly states: StreamStates) {}

  async execute({ records, ctx }: RecordUsageBatchCommand): Promise<BatchAnswer> {
    const results: BatchOutcome[] = new Array(records.length);
    const byCard = new Map<string, { index: number; record: UsageRecord }[]>();
    const serverNow = Date.parse(ctx.now);
    records.forEach((r, index) => {
      const subscriptionId = r.subscriptionId.toLowerCase();
      const measured = r.measuredAt === undefined ? serverNow : Date.parse(r.measuredAt);
      if (measured > serverNow + MAX_AHEAD_MS || measured < serverNow - MAX_AGE_MS) {
        const detail = `measuredAt ${r.measuredAt} is more than 7 days old or 5 minutes ahead of the ledger's clock`;
        results[index] = {
          index,
          subscriptionId,
          usageId: r.usageId,
          status: 'refused',
          code: 'MEASURED_AT_OUT_OF_RANGE',
          detail,
          field: `records[${index}].measuredAt`,
        };
        return;
      }
      const now = new Date(Math.min(measured, serverNow)).toISOString();
      byCard.set(subscriptionId, [...(byCard.get(subscriptionId) ?? []), { index, record: { usageId: r.usageId, mb: r.mb, now } }]);
    });
    const cards = [...byCard.entries()];
    const answers = await recordUsage(
      this.states,
      cards.map(([subscriptionId, items]) => ({ subscriptionId, records: items.map((x) => x.record) })),
      (key) => eventMetadata(ctx, key),
    );
    answers.forEach((outcomes, c) => {
      const [subscriptionId, items] = cards[c];
      if (outcomes instanceof Error) {
        // Nothing of this card's records was written; the other cards' were. Say so per record
        // rather than failing the request, so the feed resends exactly these.
        const conflict = outcomes instanceof ConcurrencyError;
        if (!conflict) this.logger.error(`usage for card ${subscriptionId} not recorded: ${outcomes.message}`);
        const code = conflict ? 'CONCURRENCY_CONFLICT' : 'NOT_RECORDED';
        const detail = conflict
          ? 'the card changed under every attempt; send these records again'
          : "the ledger could not record this card's records just now; send them again";
        items.forEach(
          (x) => (results[x.index] = { index: x.index, subscriptionId, usageId: x.record.usageId, status: 'refused', code, detail }),
        );
        return;
      }
      outcomes.forEach((o, k) => (results[items[k].index] = { ...o, index: items[k].index, subscriptionId }));
    });
    const count = (status: UsageOutcome['status']) => results.filter((r) => r.status === status).length;
    return { accepted: count('accepted'), duplicate: count('duplicate'), refused: count('refused'), results };
  }
}
