import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  ActiveCard,
  DataUsageRecorded,
  RenewalReminderDue,
  DomainError,
  burnForecast,
  evolve,
  initialCard,
  subscriptionStreamId,
  usageAdded,
} from '@ledger/domain';
import { EventStore, fold } from '@ledger/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { SubscriptionView } from './get-subscription.query';

export class GetSubscriptionAsOfQuery extends Query<SubscriptionView & { asOf: string }> {
  constructor(
    readonly subscriptionId: string,
    readonly asOf: string,
  ) {
    super();
  }
}

/**
 * The card as the ledger knew it at `asOf`: folded from the events recorded up to that instant, not
 * read from the live read model, so an auditor gets the same answer however often models are rebuilt.
 */
@QueryHandler(GetSubscriptionAsOfQuery)
export class GetSubscriptionAsOfHandler implements IQueryHandler<GetSubscriptionAsOfQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ subscriptionId, asOf }: GetSubscriptionAsOfQuery): Promise<SubscriptionView & { asOf: string }> {
    const at = Date.parse(asOf);
    const known = (await this.store.readStream(subscriptionStreamId(subscriptionId))).filter((e) => Date.parse(e.recordedAt) <= at);
    const card = fold(evolve, initialCard(), known);
    if (card.status !== 'Active')
      throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} did not exist at ${asOf}`);
    const usage = known.reduce(
      (u, e) =>
        e.type === 'DataUsageRecorded'
          ? usageAdded(u, (e.data as DataUsageRecorded['data']).recordedAt, (e.data as DataUsageRecorded['data']).mb)
          : u,
      {} as Record<string, number>,
    );
    let reminder: SubscriptionView['reminder'] = null;
    for (const e of known) {
      if (e.type === 'ValidityExtended') reminder = null;
      if (e.type === 'RenewalReminderDue') {
        const d = e.data as RenewalReminderDue['data'];
        reminder = { reminderId: d.reminderId, reason: d.reason, dueAt: d.dueAt, dataRunsOutAt: d.dataRunsOutAt };
      }
    }
    return {
      ...viewOf(card, at, usage),
      reminder,
      position: known[known.length - 1].position.toString(),
      asOf: new Date(at).toISOString(),
    };
  }
}

const viewOf = (card: ActiveCard, at: number, usage: Record<string, number>): Omit<SubscriptionView, 'position' | 'reminder'> => {
  const live = card.buckets.filter((b) => Date.parse(b.expiresAt) > at).map((b) => ({ ...b }));
  const dataRemainingMb = live.reduce((sum, b) => sum + b.mbRemaining, 0);
  return {
    subscriptionId: card.subscriptionId,
    accountId: card.accountId,
    iccid: card.iccid,
    region: card.region,
    status: card.expiresAt === null ? 'new' : Date.parse(card.expiresAt) > at ? 'active' : 'expired',
    dataRemainingMb,
    expiresAt: card.expiresAt,
    plansBought: Object.values(card.renewals).filter((r) => r.status === 'completed').length,
    pendingRenewalId: card.pendingRenewalId,
    buckets: live,
    forecast: burnForecast({ usage, dataRemainingMb, expiresAt: card.expiresAt, now: new Date(at).toISOString() }),
  };
};
