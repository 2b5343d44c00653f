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

/** An event exactly as the tree covers it (and as exports and proofs show it to auditors). */
export interface LeafEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly recordedAt: string;
}

/**
 * Its stream, revision, id, type, data, metadata (with its per-stream hash link) and time. The
 * store's position is left out (only its order counts, and the order is the tree's): the same log
 * in PostgreSQL or EventStoreDB has the same tree.
 */
export const leafEvent = (e: RecordedEvent): LeafEvent => ({
  streamId: e.streamId,
  revision: e.revision,
  id: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
  recordedAt: e.recordedAt,
});

/** The RFC 6962 leaf of an event: the hash of its canonical JSON. */
export const eventLeaf = (e: RecordedEvent): Buffer => leafHash(canonicalJson(leafEvent(e)));

/** The settled log in order, a page at a time, after `from` (exclusive; omitted: from its start). */
export async function* logPages(store: EventStore, from?: bigint, pageSize = 2_000): AsyncIterable<RecordedEvent[]> {
  for (let position = from; ;) {
    const page = await store.readAll({ fromPosition: position, limit: pageSize });
    if (!page.length) return;
    yield page;
    position = page[page.length - 1].position;
  }
}

/** Every settled event of the log in order, as leaves; `onPage` reports progress. */
export async function* logLeaves(store: EventStore, onPage?: (count: number) => void): AsyncIterable<LogLeaf> {
  let index = 0;
  for await (const page of logPages(store)) {
    for (const e of page)
      yield { index: index++, id: e.id, streamId: e.streamId, revision: e.revision, leaf: eventLeaf(e).toString('hex') };
    onPage?.(index);
  }
}
