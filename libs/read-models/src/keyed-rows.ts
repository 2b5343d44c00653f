import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent } from '@ledger/domain';
import { ColumnSpec, selectRows, upsertRows } from './database/row-sql';

interface Applied {
  last_revision: number;
  last_position: string | number;
}

export interface KeyedRowsSpec<F> {
  readonly table: string;
  readonly key: string;
  readonly columns: readonly ColumnSpec[];
  /** The row an event belongs to; events without one are not this projection's. */
  readonly keyOf: (e: RecordedEvent) => string | null;
  readonly reduce: (row: F | undefined, event: SubscriptionEvent, recorded: RecordedEvent) => F | undefined;
}

/**
 * The write path every row-per-key projection shares: one SELECT of the rows a batch touches, the
 * revision skip that makes redelivery harmless, the fold over events (upcast by the store port), one multi-row upsert.
 */
export const applyKeyedRows = async <F extends object>(
  spec: KeyedRowsSpec<F>,
  events: readonly RecordedEvent[],
  em: EntityManager,
): Promise<number> => {
  const relevant = events.filter((e) => spec.keyOf(e) !== null);
  if (relevant.length === 0) return 0;
  const ids = [...new Set(relevant.map((e) => spec.keyOf(e)!))];
  const stored = await selectRows<F & Applied & Record<string, unknown>>(em, spec.table, spec.key, ids);
  const rows = new Map<string, F & Applied>(stored.map((r) => [String(r[spec.key]), r]));
  const touched = new Set<string>();
  for (const e of relevant) {
    const id = spec.keyOf(e)!;
    const current = rows.get(id);
    if (current && e.revision <= current.last_revision) continue;
    const next = spec.reduce(current, { type: e.type, data: e.data } as SubscriptionEvent, e);
    if (!next) continue;
    rows.set(id, { ...next, last_revision: e.revision, last_position: e.position.toString() });
    touched.add(id);
  }
  return upsertRows(
    em,
    spec.table,
    spec.key,
    spec.columns,
    [...touched].map((id) => rows.get(id)!),
  );
};
