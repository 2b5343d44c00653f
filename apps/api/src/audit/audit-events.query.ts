import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../infrastructure/tokens';

export interface AuditFilter {
  actor?: string;
  correlationId?: string;
  causationId?: string;
  type?: string;
  accountId?: string;
  subscriptionId?: string;
  from?: string;
  to?: string;
  /** Log position of the last event of the previous page. */
  after?: bigint;
  limit: number;
}

export interface AuditEventView {
  position: string;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  actor: string | null;
  correlationId: string | null;
  causationId: string | null;
  commandId: string | null;
  subscriptionId: string | null;
  accountId: string | null;
  recordedAt: string;
}

export class AuditEventsQuery extends Query<{ events: AuditEventView[]; next: string | null }> {
  constructor(readonly filter: AuditFilter) {
    super();
  }
}

/**
 * Events across cards from the audit index, in log order, a page at a time (keyset on the log
 * position). An account's events include its cards' (card_iccid names a card's account).
 */
@QueryHandler(AuditEventsQuery)
export class AuditEventsHandler implements IQueryHandler<AuditEventsQuery> {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async execute({ filter: f }: AuditEventsQuery): Promise<{ events: AuditEventView[]; next: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (f.actor !== undefined) add('actor = ?', f.actor);
    if (f.correlationId !== undefined) add('correlation_id = ?', f.correlationId);
    if (f.causationId !== undefined) add('causation_id = ?', f.causationId);
    if (f.type !== undefined) add('type = ?', f.type);
    if (f.subscriptionId !== undefined) add('subscription_id = ?', f.subscriptionId);
    if (f.accountId !== undefined) {
      // The account's cards first: an OR over two indexed columns lets PostgreSQL combine both indexes.
      const cards: { subscription_id: string }[] = await this.db.query('SELECT subscription_id FROM card_iccid WHERE account_id = $1', [
        f.accountId,
      ]);
      add('account_id = ?', f.accountId);
      params.push(cards.map((c) => c.subscription_id));
      where[where.length - 1] = `(${where[where.length - 1]} OR subscription_id = ANY($${params.length}::text[]))`;
    }
    if (f.from !== undefined) add('recorded_at >= ?::timestamptz', f.from);
    if (f.to !== undefined) add('recorded_at < ?::timestamptz', f.to);
    if (f.after !== undefined) add('last_position > ?::bigint', f.after.toString());
    params.push(f.limit + 1);
    const filtered = `SELECT * FROM audit_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    // With a time range, take the range first (its index) and order what it holds: otherwise the
    // planner walks a filter's index in log order until the range begins.
    // Only a narrow range (a week at most) is worth holding whole; a wide one is walked in log order.
    const span = (f.to ? Date.parse(f.to) : Date.now()) - (f.from ? Date.parse(f.from) : 0);
    const sql =
      (f.from !== undefined || f.to !== undefined) && span <= 7 * 86_400_000
        ? `WITH r AS MATERIALIZED (${filtered}) SELECT * FROM r ORDER BY last_position LIMIT $${params.length}`
        : `${filtered} ORDER BY last_position LIMIT $${params.length}`;
    const rows: Record<string, any>[] = await this.db.query(sql, params);
    const page = rows.slice(0, f.limit).map((r): AuditEventView => ({
      position: String(r.last_position),
      eventId: r.event_id,
      streamId: r.stream_id,
      revision: r.last_revision,
      type: r.type,
      actor: r.actor,
      correlationId: r.correlation_id,
      causationId: r.causation_id,
      commandId: r.command_id,
      subscriptionId: r.subscription_id,
      accountId: r.account_id,
      recordedAt: new Date(r.recorded_at).toISOString(),
    }));
    return { events: page, next: rows.length > f.limit ? page[page.length - 1].position : null };
  }
}
