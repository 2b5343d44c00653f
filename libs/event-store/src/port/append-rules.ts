import { AppendResult, ConcurrencyError, DuplicateEventIdError, EventToAppend, ExpectedRevision, RecordedEvent } from './event-store.port';

/** Shared by every adapter that enforces expected revisions itself (all but EventStoreDB). */
export const checkExpected = (streamId: string, expected: ExpectedRevision, lastRevision: number): void => {
  const exists = lastRevision >= 0;
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && !exists) ||
    (expected === 'stream_exists' && exists) ||
    (typeof expected === 'number' && expected === lastRevision);
  if (!ok) throw new ConcurrencyError(streamId, expected, exists ? lastRevision : 'no_stream');
};

/**
 * EventStoreDB semantics for a retried append: the same event ids, already written in the same
 * order to the same stream, succeed without writing again. Ids that exist anywhere else are refused.
 */
export const idempotentReplay = (
  stream: readonly Pick<RecordedEvent, 'id' | 'revision' | 'position'>[],
  events: readonly EventToAppend[],
  existsAnywhere: (id: string) => boolean,
): AppendResult | null => {
  if (events.length === 0) return null;
  const start = stream.findIndex((e) => e.id === events[0].id);
  if (start >= 0) {
    const matches = events.every((e, i) => stream[start + i]?.id === e.id);
    if (matches) {
      const written = stream.slice(start, start + events.length).map(({ id, revision, position }) => ({ id, revision, position }));
      const last = written[written.length - 1];
      return { nextExpectedRevision: last.revision, position: last.position, events: written, replayed: true };
    }
    throw new DuplicateEventIdError(events[0].id);
  }
  const clash = events.find((e) => existsAnywhere(e.id));
  if (clash) throw new DuplicateEventIdError(clash.id);
  return null;
};
