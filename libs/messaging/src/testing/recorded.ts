import { EventToAppend, RecordedEvent } from '@ledger/event-store';

/** Stamps events as a store would, for tests that need RecordedEvents without a store. */
export const recorded = (streamId: string, events: readonly EventToAppend[], firstPosition = 1n): RecordedEvent[] =>
  events.map((e, i) => ({ ...e, streamId, revision: i, position: firstPosition + BigInt(i), recordedAt: '2025-01-01T00:00:00.000Z' }));
