import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DomainError, subscriptionStreamId } from '@ledger/domain';
import { EventStore } from '@ledger/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';

export interface EventView {
  eventId: string;
  type: string;
  revision: number;
  position: string;
  recordedAt: string;
  data: unknown;
  metadata: unknown;
}

export class GetSubscriptionEventsQuery extends Query<{ subscriptionId: string; events: EventView[] }> {
  constructor(readonly subscriptionId: string) {
    super();
  }
}

/** Straight from the event store, not a read model: this is what auditors compare against. */
@QueryHandler(GetSubscriptionEventsQuery)
export class GetSubscriptionEventsHandler implements IQueryHandler<GetSubscriptionEventsQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ subscriptionId }: GetSubscriptionEventsQuery) {
    const events = await this.store.readStream(subscriptionStreamId(subscriptionId));
    if (events.length === 0) throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not exist`);
    return {
      subscriptionId,
      events: events.map((e) => ({
        eventId: e.id,
        type: e.type,
        revision: e.revision,
        position: e.position.toString(),
        recordedAt: e.recordedAt,
        data: e.data,
        metadata: e.metadata,
      })),
    };
  }
}
