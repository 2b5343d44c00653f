import { randomUUID } from 'node:crypto';
import { DeciderLike } from '../command/handle-command';
import { EventMetadata, EventStore, EventToAppend } from '../port/event-store.port';

export const metadata = (idempotencyKey: string = randomUUID()): EventMetadata => ({
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: 'contract-test',
  idempotencyKey,
});

export const anEvent = (type = 'Happened', data: Record<string, unknown> = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data: { ...data, nested: { list: [1, 'two', null], flag: true } },
  metadata: metadata(),
});

export const events = (count: number, type = 'Happened'): EventToAppend[] => Array.from({ length: count }, (_, i) => anEvent(type, { i }));

/** Unique per test, so stream ids never collide between tests that share a database. */
export const streamName = (prefix: string): string => `${prefix}-${randomUUID()}`;

export interface Counted {
  readonly type: 'Counted';
  readonly data: { readonly before: number; readonly by: string };
}

/** Every event records the count it was decided on: a lost update shows as a repeated `before`. */
export const counter: DeciderLike<{ by: string }, number, Counted> = {
  initialState: () => 0,
  evolve: (n) => n + 1,
  decide: (command, n) => [{ type: 'Counted', data: { before: n, by: command.by } }],
};

/**
 * Holds every reader until `parties` readers have read, so that many commands decide on the same
 * state and then race for the same expected revision.
 */
export const readBarrier = (store: EventStore, parties: number): EventStore => {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    appendToStream: (streamId, toAppend, expected) => store.appendToStream(streamId, toAppend, expected),
    readStream: async (streamId) => {
      const stream = await store.readStream(streamId);
      if (++arrived === parties) open();
      await opened;
      return stream;
    },
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    close: () => store.close(),
  };
};
