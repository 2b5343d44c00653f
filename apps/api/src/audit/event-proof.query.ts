import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { EventStore, MerkleTree, RecordedEvent, eventLeaf } from '@ledger/event-store';
import { ProblemException } from '../http/problem';
import { STORED_EVENTS } from '../infrastructure/tokens';

export interface EventProof {
  /** The shape scripts/verify-export.mjs reads, one line of events.ndjson: index, event, proof. */
  index: number;
  event: { streamId: string; revision: number; id: string; type: string; data: unknown; metadata: unknown; recordedAt: string };
  proof: string[];
  /** The tree the proof is in: the first `size` events of the log, and its root (base64). */
  size: number;
  root: string;
}

export class EventProofQuery extends Query<EventProof> {
  constructor(
    readonly eventId: string,
    readonly size: number | undefined,
  ) {
    super();
  }
}

/**
 * An event's inclusion proof in the log's Merkle tree of `size` events (a size from a signed
 * checkpoint the auditor holds; default: the whole log now). The tree is built from the stored log,
 * kept for the next request while the log has not grown.
 */
@QueryHandler(EventProofQuery)
export class EventProofHandler implements IQueryHandler<EventProofQuery> {
  private cached: { size: number; tree: MerkleTree; events: Map<string, { index: number; e: RecordedEvent }> } | null = null;

  constructor(@Inject(STORED_EVENTS) private readonly stored: EventStore) {}

  async execute({ eventId, size }: EventProofQuery): Promise<EventProof> {
    const built = await this.tree(size);
    if (size !== undefined && built.size < size)
      throw new ProblemException(400, 'VALIDATION_FAILED', `the log holds ${built.size} events, fewer than size ${size}`, 'size');
    const found = built.events.get(eventId);
    if (!found)
      throw new ProblemException(404, 'EVENT_NOT_FOUND', `event ${eventId} is not among the first ${built.size} events of the log`, 'id');
    const e = found.e;
    return {
      index: found.index,
      event: {
        streamId: e.streamId,
        revision: e.revision,
        id: e.id,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        recordedAt: e.recordedAt,
      },
      proof: built.tree.inclusionProof(found.index).map((h) => h.toString('base64')),
      size: built.size,
      root: built.tree.root().toString('base64'),
    };
  }

  private async tree(size: number | undefined) {
    if (this.cached && (size === undefined ? false : this.cached.size === size)) return this.cached;
    const leaves: Buffer[] = [];
    const events = new Map<string, { index: number; e: RecordedEvent }>();
    let from: bigint | undefined;
    while (size === undefined || leaves.length < size) {
      const page = await this.stored.readAll({ fromPosition: from, limit: 2_000 });
      if (!page.length) break;
      for (const e of page) {
        if (size !== undefined && leaves.length >= size) break;
        events.set(e.id, { index: leaves.length, e });
        leaves.push(eventLeaf(e));
      }
      from = page[page.length - 1].position;
    }
    this.cached = { size: leaves.length, tree: new MerkleTree(leaves), events };
    return this.cached;
  }
}
