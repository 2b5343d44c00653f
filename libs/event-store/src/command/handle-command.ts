import { ConcurrencyError, EventMetadata, EventStore, RecordedEvent } from '../port/event-store.port';
import { deterministicId } from './deterministic-id';
import { chainEvents } from '../audit/hash-chain';

export interface DeciderLike<C, S, E extends { type: string; data: unknown }> {
  initialState(): S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S): E[];
}

export interface HandleOptions {
  readonly metadata: EventMetadata;
  /** Distinguishes the appends of one command that writes more than once (e.g. select, then capture). */
  readonly step?: string;
  /**
   * For facts that may legitimately recur under one key (claim, release, claim again): the ids
   * also carry the revision they are appended at, so a later recurrence is not mistaken for a
   * retry of the earlier one. Deciders of such commands must themselves be idempotent.
   */
  readonly idsPerRevision?: boolean;
  readonly maxAttempts?: number;
  /** The stream as the caller just read it: the first attempt decides on it instead of reading again. */
  readonly knownStream?: readonly RecordedEvent[];
}

export interface HandleResult<S> {
  readonly state: S;
  /** What this call appended; empty when the decision produced nothing new (an idempotent retry). */
  readonly appended: readonly RecordedEvent[];
  /** The whole stream after the call, so callers can answer retries with the original positions. */
  readonly stream: readonly RecordedEvent[];
}

export const fold = <S, E>(evolve: (s: S, e: E) => S, initial: S, events: readonly RecordedEvent[]): S =>
  events.reduce((s, e) => evolve(s, { type: e.type, data: e.data } as E), initial);

/**
 * Read → fold → decide → append with the expected revision. A conflict means someone wrote in
 * between: decide again on the fresh state, a bounded number of times, then let the conflict out.
 */
export const handleCommand = async <C, S, E extends { type: string; data: unknown }>(
  store: EventStore,
  streamId: string,
  decider: DeciderLike<C, S, E>,
  command: C,
  options: HandleOptions,
): Promise<HandleResult<S>> => {
  const attempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const stream = attempt === 1 && options.knownStream ? options.knownStream : await store.readStream(streamId);
    const state = fold(decider.evolve, decider.initialState(), stream);
    const events = decider.decide(command, state);
    if (events.length === 0) return { state, appended: [], stream };
    const expected = stream.length === 0 ? 'no_stream' : stream[stream.length - 1].revision;
    const { idempotencyKey } = options.metadata;
    const toAppend = chainEvents(
      streamId,
      stream,
      events.map((e, i) => ({
        id: options.idsPerRevision
          ? deterministicId(streamId, idempotencyKey, options.step ?? 'main', `@${stream.length}`, String(i))
          : deterministicId(streamId, idempotencyKey, options.step ?? 'main', String(i)),
        type: e.type,
        data: e.data,
        metadata: options.metadata,
      })),
    );
    try {
      await store.appendToStream(streamId, toAppend, expected);
    } catch (err) {
      if (err instanceof ConcurrencyError && attempt < attempts) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
        continue;
      }
      throw err;
    }
    const after = await store.readStream(streamId);
    const ids = new Set(toAppend.map((e) => e.id));
    return { state: fold(decider.evolve, decider.initialState(), after), appended: after.filter((e) => ids.has(e.id)), stream: after };
  }
};
