import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { Projection, ReadModelTable } from '../projection';
import { ColumnSpec } from '../database/row-sql';
import { applyKeyedRows } from '../keyed-rows';

/**
 * Every event of every stream, by who, why and when ([12]): the index auditors query across cards
 * (by actor, correlation id, causation, type, account, card, time). No payloads: those stay in the
 * event store, which the auditor reads by stream.
 */
interface Row {
  event_id: string;
  stream_id: string;
  subscription_id: string | null;
  account_id: string | null;
  type: string;
  actor: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  command_id: string | null;
  recorded_at: string;
  last_revision: number;
  last_position: string | number;
}

const COLUMNS: readonly ColumnSpec[] = [
  { name: 'event_id', type: 'text' },
  { name: 'stream_id', type: 'text' },
  { name: 'subscription_id', type: 'text' },
  { name: 'account_id', type: 'text' },
  { name: 'type', type: 'text' },
  { name: 'actor', type: 'text' },
  { name: 'correlation_id', type: 'text' },
  { name: 'causation_id', type: 'text' },
  { name: 'command_id', type: 'text' },
  { name: 'recorded_at', type: 'timestamptz' },
  { name: 'last_revision', type: 'integer' },
  { name: 'last_position', type: 'bigint' },
];

type Fields = Omit<Row, 'last_revision' | 'last_position'>;

/** The card a stream belongs to: its own stream, its auto-renew mandate, or the card a payment process names. */
const CARD_STREAMS = /^(?:subscription|autorenew)-(.+)$/;
const str = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : null);

const reduce = (_row: Fields | undefined, _e: unknown, e: RecordedEvent): Fields => {
  const data = (e.data ?? {}) as Record<string, unknown>;
  const meta = (e.metadata ?? {}) as Record<string, unknown>;
  return {
    event_id: e.id,
    stream_id: e.streamId,
    subscription_id: CARD_STREAMS.exec(e.streamId)?.[1] ?? str(data.subscriptionId),
    account_id: str(data.accountId) ?? (e.streamId.startsWith('account-') ? e.streamId.slice('account-'.length) : null),
    type: e.type,
    actor: str(meta.actor),
    correlation_id: str(meta.correlationId),
    causation_id: str(meta.causationId),
    command_id: str(meta.commandId),
    recorded_at: e.recordedAt,
  };
};

export class AuditEventProjection implements Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];

  constructor(suffix = '') {
    this.name = `audit_event${suffix}`;
    this.tables = [{ name: `audit_event${suffix}`, primaryKey: 'event_id' }];
  }

  applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<number> {
    return applyKeyedRows<Fields>(
      { table: this.tables[0].name, key: 'event_id', columns: COLUMNS, keyOf: (e) => e.id, reduce },
      events,
      em,
    );
  }
}
