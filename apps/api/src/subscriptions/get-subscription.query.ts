import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { BurnForecast, DomainError, burnForecast, subscriptionStreamId } from '@ledger/domain';
import { BucketView, CardBalanceEntity, CardReminder, ProjectionPosition } from '@ledger/read-models';
import { DATA_SOURCE, EVENT_STORE, PROJECTION_POSITION } from '../infrastructure/tokens';
import { EventStore } from '@ledger/event-store';
import { awaitProjection, refuseIfSetAside } from '../http/read-your-writes';

export interface SubscriptionView {
  subscriptionId: string;
  accountId: string;
  iccid: string;
  region: string;
  /** new: never renewed; active: valid now; expired: validity has passed. */
  status: 'new' | 'active' | 'expired';
  dataRemainingMb: number;
  expiresAt: string | null;
  plansBought: number;
  pendingRenewalId: string | null;
  buckets: BucketView[];
  /** At the card's recent pace, when its data runs out and whether validity ends first. */
  forecast: BurnForecast;
  /** The latest renewal reminder due and not yet answered by a renewal, or null. */
  reminder: CardReminder | null;
  position: string;
}

export class GetSubscriptionQuery extends Query<SubscriptionView> {
  constructor(
    readonly subscriptionId: string,
    readonly minPosition: bigint | undefined,
    readonly now: string,
  ) {
    super();
  }
}

/** Buckets past their expiry count as zero even before a DataExpired event records the forfeit. */
export const toView = (row: CardBalanceEntity, now: string): SubscriptionView => {
  const at = Date.parse(now);
  const live = row.buckets.filter((b) => Date.parse(b.expiresAt) > at);
  const expiresAt = row.expiresAt ? new Date(row.expiresAt).toISOString() : null;
  return {
    subscriptionId: row.subscriptionId,
    accountId: row.accountId,
    iccid: row.iccid,
    region: row.region,
    status: expiresAt === null ? 'new' : Date.parse(expiresAt) > at ? 'active' : 'expired',
    dataRemainingMb: live.reduce((sum, b) => sum + b.mbRemaining, 0),
    expiresAt,
    plansBought: row.plansBought,
    pendingRenewalId: row.pendingRenewalId,
    buckets: live,
    forecast: burnForecast({
      usage: row.usageDays ?? {},
      dataRemainingMb: live.reduce((sum, b) => sum + b.mbRemaining, 0),
      expiresAt,
      now,
    }),
    reminder: row.reminder ?? null,
    position: String(row.lastPosition),
  };
};

@QueryHandler(GetSubscriptionQuery)
export class GetSubscriptionHandler implements IQueryHandler<GetSubscriptionQuery> {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(PROJECTION_POSITION) private readonly position: ProjectionPosition,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ subscriptionId, minPosition, now }: GetSubscriptionQuery): Promise<SubscriptionView> {
    await awaitProjection(this.position, minPosition, this.store);
    await refuseIfSetAside(this.dataSource, 'card_balance', subscriptionStreamId(subscriptionId));
    const row = await this.dataSource.getRepository(CardBalanceEntity).findOneBy({ subscriptionId });
    if (!row) throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not exist`);
    return toView(row, now);
  }
}
