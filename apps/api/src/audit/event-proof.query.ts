import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { EventStore, LeafEvent, MerkleTree, RecordedEvent, eventLeaf, leafEvent, logPages } from '@ledger/event-store';
import { ProblemException } from '../http/problem';
import { STORED_EVENTS } from '../infrastructure/tokens';

export interface EventProof {
  /** The shape scripts/verify-export.mjs reads, one line of events.ndjson: index, event, proof. */
  index: number;
  event: LeafEvent;
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

/** What the handler keeps of the log: 32 bytes and a map entry per event, no payloads. */
interface Leaves {
  hashes: Buffer[];
  index: Map<string, { index: number; streamId: string; revision: number }>;
  head: bigint | undefined;
}

/**
 * An event's inclusion proof in the log's Merkle tree of `size` events (a size from a signed
 * checkpoint the auditor holds; default: the whole log now). The log's leaf hashes are kept between
 * requests and extended with what was appended since, so a proof reads only the log's new part and
 * the one event; the tree of the asked size is built from them.
 */
@QueryHandler(EventProofQuery)
export class EventProofHandler implements IQueryHandler<EventProofQuery> {
  private readonly leaves: Leaves = { hashes: [], index: new Map(), head: undefined };
  private tree: MerkleTree | null = null;

  constructor(@Inject(STORED_EVENTS) private readonly stored: EventStore) {}

  async execute({ eventId, size }: EventProofQuery): Promise<EventProof> {
    await this.catchUp();
    const total = this.leaves.hashes.length;
    if (size !== undefined && size > total)
      throw new ProblemException(400, 'VALIDATION_FAILED', `the log holds ${total} events, fewer than size ${size}`, 'size');
    const n = size ?? total;
    const found = this.leaves.index.get(eventId);
    if (!found || found.index >= n)
      throw new ProblemException(404, 'EVENT_NOT_FOUND', `event ${eventId} is not among the first ${n} events of the log`, 'id');
    if (!this.tree || this.tree.size !== n) this.tree = new MerkleTree(n === total ? this.leaves.hashes : this.leaves.hashes.slice(0, n));
    // By id where the store indexes the log by id; else the stream from the event on (EventStoreDB).
    const [e] = this.stored.readEvents
      ? await this.stored.readEvents([eventId])
      : ((await this.stored.readStream(found.streamId, { fromRevision: found.revision })) as RecordedEvent[]);
    return {
      index: found.index,
      event: leafEvent(e),
      proof: this.tree.inclusionProof(found.index).map((h) => h.toString('base64')),
      size: n,
      root: this.tree.root().toString('base64'),
    };
  }

  /** Reads what the log gained since the last request. Requests take turns: one catch-up at a time. */
  private catchingUp: Promise<void> = Promise.resolve();
  private catchUp(): Promise<void> {
    this.catchingUp = this.catchingUp
      .catch(() => undefined)
      .then(async () => {
        for await (const page of logPages(this.stored, this.leaves.head)) {
          for (const e of page) {
            this.leaves.index.set(e.id, { index: this.leaves.hashes.length, streamId: e.streamId, revision: e.revision });
            this.leaves.hashes.push(eventLeaf(e));
          }
          this.leaves.head = page[page.length - 1].position;
          this.tree = null;
        }
      });
    return this.catchingUp;
  }
}
