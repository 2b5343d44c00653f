import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ProjectionPosition, RenewalEntity } from '@ledger/read-models';
import { subscriptionStreamId } from '@ledger/domain';
import { DATA_SOURCE, EVENT_STORE, PROJECTION_POSITION } from '../infrastructure/tokens';
import { EventStore } from '@ledger/event-store';
import { awaitProjection, refuseIfSetAside } from '../http/read-your-writes';
import { ProblemException } from '../http/problem';

export interface RenewalView {
  renewalId: string;
  subscriptionId: string;
  planId: string;
  status: 'pending' | 'completed' | 'failed' | 'abandoned';
  reason?: string;
  /** While pending: what the owner must do at the provider. */
  nextAction?: { type: string; url: string };
  refundedMinor: number;
  revokedMb: number;
  chargeback: 'open' | 'won' | 'lost' | null;
  /** Every step of the payment as the card recorded it, oldest first. */
  history: { at: string; event: string; detail?: string }[];
  price: { amountMinor: number; currency: string };
  paymentMethod: string;
  newExpiry: string | null;
}

export class GetRenewalQuery extends Query<RenewalView> {
  constructor(
    readonly subscriptionId: string,
    readonly renewalId: string,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

@QueryHandler(GetRenewalQuery)
export class GetRenewalHandler implements IQueryHandler<GetRenewalQuery> {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(PROJECTION_POSITION) private readonly position: ProjectionPosition,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ subscriptionId, renewalId, minPosition }: GetRenewalQuery): Promise<RenewalView> {
    await awaitProjection(this.position, minPosition, this.store);
    await refuseIfSetAside(this.dataSource, 'renewal', subscriptionStreamId(subscriptionId));
    const row = await this.dataSource.getRepository(RenewalEntity).findOneBy({ renewalId, subscriptionId });
    if (!row)
      throw new ProblemException(
        404,
        'RENEWAL_NOT_FOUND',
        `renewal ${renewalId} does not exist on subscription ${subscriptionId}`,
        'renewalId',
      );
    return {
      renewalId: row.renewalId,
      subscriptionId: row.subscriptionId,
      planId: row.planId,
      status: row.status,
      ...(row.reason ? { reason: row.reason } : {}),
      price: { amountMinor: row.priceMinor, currency: row.currency },
      paymentMethod: row.paymentMethod,
      newExpiry: row.newExpiry ? new Date(row.newExpiry).toISOString() : null,
      ...(row.nextAction && row.status === 'pending' ? { nextAction: row.nextAction } : {}),
      refundedMinor: row.refundedMinor,
      revokedMb: row.revokedMb,
      chargeback: row.chargeback,
      history: row.history,
    };
  }
}
