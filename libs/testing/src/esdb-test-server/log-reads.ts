import { EventLog, StoredEvent } from './event-log';

/** The server-side filter of a $all read: on the stream name or on the event type, by prefixes or a regex. */
export interface LogFilter {
  readonly on: 'stream' | 'type';
  readonly matches: (value: string) => boolean;
}

export const passes = (filter: LogFilter | undefined, e: StoredEvent): boolean =>
  !filter || filter.matches(filter.on === 'stream' ? e.streamId : e.type);

export type StreamRead =
  { readonly kind: 'events'; readonly events: StoredEvent[] } | { readonly kind: 'not_found' } | { readonly kind: 'deleted' };

export type Start = 'start' | 'end' | bigint;

/** Revisions in a stream, both directions, from an inclusive revision; a soft-deleted stream reads as missing. */
export const readStream = (log: EventLog, streamId: string, from: Start, backwards: boolean, count: bigint): StreamRead => {
  const s = log.stream(streamId);
  if (s?.tombstoned) return { kind: 'deleted' };
  if (!s || s.softDeleted || s.events.length === 0) return { kind: 'not_found' };
  const visible = s.events.filter((e) => e.revision >= s.truncateBefore);
  const ordered = backwards ? [...visible].reverse() : visible;
  const inRange = ordered.filter((e) => {
    if (from === 'start') return !backwards;
    if (from === 'end') return backwards;
    return backwards ? e.revision <= from : e.revision >= from;
  });
  return { kind: 'events', events: take(inRange, count) };
};

/** The index of the first record at or after `position` in the log, which is ordered by position. */
export const indexFrom = (log: EventLog, position: bigint): number => {
  let low = 0;
  let high = log.all.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (log.all[mid].position < position) low = mid + 1;
    else high = mid;
  }
  return low;
};

/**
 * $all by position. Forwards is inclusive of the record at `from`, backwards returns what lies
 * strictly before it: the real server treats a forward position as a record's start and a
 * backward one as a record's end.
 */
export const readAll = (log: EventLog, from: Start, backwards: boolean, count: bigint, filter?: LogFilter): StoredEvent[] => {
  let slice: StoredEvent[];
  if (backwards) {
    const end = from === 'end' ? log.all.length : from === 'start' ? 0 : indexFrom(log, from);
    slice = log.all.slice(0, end).reverse();
  } else {
    const start = from === 'start' ? 0 : from === 'end' ? log.all.length : indexFrom(log, from);
    slice = log.all.slice(start);
  }
  return take(
    slice.filter((e) => passes(filter, e)),
    count,
  );
};

const take = <T>(items: T[], count: bigint): T[] => (count >= BigInt(items.length) ? items : items.slice(0, Number(count)));
