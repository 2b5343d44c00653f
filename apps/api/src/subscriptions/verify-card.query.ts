import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DomainError, subscriptionStreamId } from '@ledger/domain';
import { EventStore, verifyStream } from '@ledger/event-store';
import { STORED_EVENTS } from '../infrastructure/tokens';

export interface CardVerification {
  streamId: string;
  events: number;
  verified: boolean;
  /** The first event whose link does not hold, or null. */
  broken: { revision: number; eventId: string; reason: string } | null;
  checkedAt: string;
  /** What this check can and cannot see. */
  scope: string;
}

export class VerifyCardQuery extends Query<CardVerification> {
  constructor(readonly subscriptionId: string) {
    super();
  }
}

const SCOPE =
  "the card's per-stream hash chain, recomputed from the events as stored: a changed, removed or reordered event before the last breaks it; a removed last event or a stream rewritten with recomputed links does not (signed checkpoints over the whole log will)";

/** An auditor's look at one card: its hash chain recomputed now, from the stored events (no upcasting). */
@QueryHandler(VerifyCardQuery)
export class VerifyCardHandler implements IQueryHandler<VerifyCardQuery> {
  constructor(@Inject(STORED_EVENTS) private readonly stored: EventStore) {}

  async execute({ subscriptionId }: VerifyCardQuery): Promise<CardVerification> {
    const streamId = subscriptionStreamId(subscriptionId);
    const report = await verifyStream(this.stored, streamId);
    if (report.events === 0) throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not exist`);
    const [b] = report.broken;
    return {
      streamId,
      events: report.events,
      verified: !b,
      broken: b ? { revision: b.revision, eventId: b.eventId, reason: b.reason } : null,
      checkedAt: new Date().toISOString(),
      scope: SCOPE,
    };
  }
}
