import { EventStore } from '../port/event-store.port';
import { BrokenLink, GENESIS_LINK, verifyChain } from './hash-chain';

export interface VerifyReport {
  readonly streams: number;
  readonly events: number;
  readonly broken: readonly BrokenLink[];
}

export const verifyStream = async (store: EventStore, streamId: string): Promise<VerifyReport> => {
  const events = await store.readStream(streamId);
  const { broken } = verifyChain(events);
  return { streams: events.length ? 1 : 0, events: events.length, broken: broken ? [broken] : [] };
};

/**
 * Every stream in one pass over the global log, keeping only each stream's last link in memory;
 * reports the first broken link of each stream (a stream stops being checked once broken).
 */
export const verifyAll = async (store: EventStore, pageSize = 1000): Promise<VerifyReport> => {
  const heads = new Map<string, { link: string; revision: number } | null>();
  let events = 0;
  const broken: BrokenLink[] = [];
  let from: bigint | undefined;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, limit: pageSize });
    if (page.length === 0) break;
    for (const e of page) {
      events++;
      const head = heads.get(e.streamId);
      if (head === null) continue;
      const result = verifyChain([e], head?.link ?? GENESIS_LINK, head?.revision ?? 0);
      if (result.broken) {
        broken.push(result.broken);
        heads.set(e.streamId, null);
      } else {
        heads.set(e.streamId, { link: result.link, revision: e.revision + 1 });
      }
    }
    from = page[page.length - 1].position;
  }
  return { streams: heads.size, events, broken };
};
