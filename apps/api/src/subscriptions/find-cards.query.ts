import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../infrastructure/tokens';

export interface CardListing {
  subscriptionId: string;
  accountId: string;
  iccid: string;
  region: string;
  expiresAt: string | null;
  /** Null until the card's balance is projected. */
  dataRemainingMb: number | null;
}

export class FindCardsQuery extends Query<{ cards: CardListing[] }> {
  constructor(
    readonly iccid: string | undefined,
    readonly accountId: string | undefined,
  ) {
    super();
  }
}

/**
 * Cards by ICCID or account, from card_iccid (written with the card, so a card just opened is found)
 * joined to its balance. At most 100: an account does not hold more.
 */
@QueryHandler(FindCardsQuery)
export class FindCardsHandler implements IQueryHandler<FindCardsQuery> {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async execute({ iccid, accountId }: FindCardsQuery): Promise<{ cards: CardListing[] }> {
    const rows: Record<string, any>[] = await this.db.query(
      `SELECT i.subscription_id, i.account_id, i.iccid, c.region, c.expires_at, c.buckets
       FROM card_iccid i LEFT JOIN card_balance c ON c.subscription_id = i.subscription_id
       WHERE ($1::text IS NULL OR i.iccid = $1) AND ($2::text IS NULL OR i.account_id = $2)
       ORDER BY i.subscription_id LIMIT 100`,
      [iccid ?? null, accountId ?? null],
    );
    const now = Date.now();
    return {
      cards: rows.map((r) => ({
        subscriptionId: r.subscription_id,
        accountId: r.account_id,
        iccid: r.iccid,
        region: r.region ?? 'unknown',
        expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null,
        dataRemainingMb: r.buckets
          ? (r.buckets as { mbRemaining: number; expiresAt: string }[])
              .filter((b) => Date.parse(b.expiresAt) > now)
              .reduce((s, b) => s + b.mbRemaining, 0)
          : null,
      })),
    };
  }
}
