import {
  ANY,
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  CancelledError,
  DeadlineExceededError,
  EventData,
  Filter,
  NO_STREAM,
  NotLeaderError,
  ResolvedEvent,
  STREAM_EXISTS,
  TimeoutError,
  UnavailableError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import { AllFilter, EventMetadata, EventToAppend, ExpectedRevision, RecordedEvent, matchesFilter } from '../port/event-store.port';

export const toExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
};

export const toEventData = (e: EventToAppend): EventData =>
  jsonEvent({ id: e.id, type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata });

/** `$`-prefixed streams and types belong to the server (metadata, tombstones, stats, projections). */
export const isSystem = (e: { streamId: string; type: string }): boolean => e.streamId.startsWith('$') || e.type.startsWith('$');

/**
 * A resolved event as the port records it; `position` is the commit position, which is unique per
 * event for everything the gRPC API writes (each event is its own self-committed log record).
 * Link events do not occur in the ledger's streams (projections are not used), so one is refused.
 */
export const toRecorded = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent => {
  const e = resolved.event;
  if (!e) throw new Error('a link to a deleted event has no event to read');
  const position = e.position?.commit ?? resolved.commitPosition;
  if (position === undefined) throw new Error(`event ${e.id} came without a log position (server too old for positions on stream reads)`);
  return {
    id: e.id,
    streamId: e.streamId,
    revision: Number(e.revision),
    position,
    type: e.type,
    data: e.data,
    metadata: (e.metadata ?? {}) as EventMetadata,
    recordedAt: e.created.toISOString(),
  };
};

/** Whether a $all event is one of the ledger's and passes the caller's filter. */
export const wanted = (e: Pick<RecordedEvent, 'streamId' | 'type'>, filter?: AllFilter): boolean =>
  !isSystem(e) && matchesFilter(e, filter);

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The server filters on one dimension only, so it gets the more selective one the caller named
 * (stream prefixes, else exact event types, else "no system events"); `wanted` applies the rest.
 */
export const serverFilter = (filter?: AllFilter): Filter => {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (filter?.eventTypes?.length) return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  return excludeSystemEvents();
};

const TRANSIENT_CODES = new Set([1, 4, 10, 14]);
const INTERNAL = 13;

/** Failures after which the same request may succeed against a restarted or re-elected server. */
export const isTransient = (err: unknown): boolean => {
  if (err instanceof UnavailableError || err instanceof CancelledError || err instanceof NotLeaderError) return true;
  if (err instanceof DeadlineExceededError || err instanceof TimeoutError) return true;
  // Some paths (server features, a dropped channel) surface the raw gRPC status instead of a client error class.
  const { code, details } = (err ?? {}) as { code?: unknown; details?: unknown };
  return TRANSIENT_CODES.has(code as number) || (code === INTERNAL && /RST_STREAM|connection|socket/i.test(String(details)));
};

/**
 * @eventstore/db-client 6 parses only esdb:// and esdb+discover://; KurrentDB's own schemes name
 * the same protocol.
 */
export const clientConnectionString = (url: string): string =>
  url.replace(/^(kurrentdb|kurrent)(\+discover)?:\/\//, (_, __, discover: string | undefined) => `esdb${discover ?? ''}://`);
