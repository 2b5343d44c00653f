import { EventStore, RecordedEvent } from '../port/event-store.port';
import { canonicalJson } from './canonical-json';
import { leafHash } from './merkle';

/** One event as the log's Merkle tree sees it: what an auditor keeps of it (no data: its hash). */
export interface LogLeaf {
  readonly index: number;
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  /** Hex of the RFC 6962 leaf hash of the event's canonical JSON. */
  readonly leaf: string;
}

/**
 * The leaf of an event: its stream, revision, id, type, data, metadata (with its per-stream hash
 * link) and time, as canonical JSON. The store's position is left out (only its order counts,
 * and the order is the tree's): the same log in PostgreSQL or EventStoreDB has the same tree.
 */
export const eventLeaf = (e: RecordedEvent): Buffer =>
  leafHash(
    canonicalJson({
      streamId: e.streamId,
      revision: e.revision,
      id: e.id,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
      recordedAt: e.recordedAt,
    }),
  );

/** Every settled event of the log in order, as leaves, a page at a time; `onPage` reports progress. */
export async function* logLeaves(store: EventStore, onPage?: (count: number) => void, pageSize = 2_000): AsyncIterable<LogLeaf> {
  let from: bigint | undefined;
  let index = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, limit: pageSize });
    if (!page.length) return;
    for (const e of page)
      yield { index: index++, id: e.id, streamId: e.streamId, revision: e.revision, leaf: eventLeaf(e).toString('hex') };
    from = page[page.length - 1].position;
    onPage?.(index);
  }
}
