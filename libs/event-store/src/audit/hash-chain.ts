import { createHash } from 'node:crypto';
import { RecordedEvent } from '../port/event-store.port';
import { canonicalJson } from './canonical-json';

/** The link before a stream's first event. */
export const GENESIS_LINK = '0'.repeat(64);

type Linkable = Pick<RecordedEvent, 'id' | 'type' | 'data' | 'metadata' | 'streamId' | 'revision'>;

const withoutLink = (metadata: Record<string, unknown>): Record<string, unknown> => {
  const { hashLink, ...rest } = metadata;
  return rest;
};

/** SHA-256 over the previous link and the event's canonical JSON (its stream and revision included). */
export const linkFor = (previous: string, e: Linkable): string =>
  createHash('sha256')
    .update(previous)
    .update(
      canonicalJson({
        id: e.id,
        streamId: e.streamId,
        revision: e.revision,
        type: e.type,
        data: e.data,
        metadata: withoutLink(e.metadata),
      }),
    )
    .digest('hex');

export const lastLink = (stream: readonly Pick<RecordedEvent, 'metadata'>[]): string =>
  (stream.at(-1)?.metadata.hashLink as string | undefined) ?? GENESIS_LINK;

export interface BrokenLink {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly reason: string;
}

/**
 * Walks a stream's events in revision order from `previous`; answers the first event whose stored
 * link does not match the recomputed one (an altered, removed or reordered event), or null.
 */
export const verifyChain = (
  events: readonly RecordedEvent[],
  previous = GENESIS_LINK,
  expectedRevision = 0,
): { broken: BrokenLink | null; link: string } => {
  let link = previous;
  let revision = expectedRevision;
  for (const e of events) {
    const at = { streamId: e.streamId, revision: e.revision, eventId: e.id };
    if (e.revision !== revision) return { broken: { ...at, reason: `expected revision ${revision}: an event is missing` }, link };
    const stored = e.metadata.hashLink;
    if (typeof stored !== 'string') return { broken: { ...at, reason: 'no hash link in metadata' }, link };
    const recomputed = linkFor(link, e);
    if (recomputed !== stored)
      return {
        broken: { ...at, reason: `stored link ${stored.slice(0, 12)}… but the content hashes to ${recomputed.slice(0, 12)}…` },
        link,
      };
    link = stored;
    revision++;
  }
  return { broken: null, link };
};
