import { AppendedEvent, ConcurrencyError, EventMetadata, EventStore, EventToAppend, RecordedEvent } from '../port/event-store.port';
import { deterministicId } from './deterministic-id';
import { CONFLICT_RETRY, backoffDelay } from '../port/retry';
import { linkFor } from '../audit/hash-chain';
import { Folded } from './snapshots';
import { FoldingDecider, StreamStates, foldOnto } from './stream-states';

export interface DeciderLike<C, S, E extends { type: string; data: unknown }> extends FoldingDecider<S> {
  initialState(): S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S): E[];
}

export interface HandleOptions<E = unknown> {
  readonly metadata: EventMetadata;
  /** Distinguishes the appends of one command that writes more than once (e.g. select, then capture). */
  readonly step?: string;
  /**
   * For facts that may legitimately recur under one key (claim, release, claim again): the ids
   * also carry the revision they are appended at, so a later recurrence is not mistaken for a
   * retry of the earlier one. Deciders of such commands must themselves be idempotent.
   */
  readonly idsPerRevision?: boolean;
  /** An id of the caller's own for an event (a fact whose identity is known outside the stream). */
  readonly eventId?: (event: E, index: number) => string | undefined;
  readonly maxAttempts?: number;
}

/** An event this call wrote (or found already written by an earlier attempt of the same command). */
export type AppendedRecord = EventToAppend & AppendedEvent & { readonly streamId: string };

export interface HandleResult<S> {
  readonly state: S;
  /** What this call appended; empty when the decision produced nothing new (an idempotent retry). */
  readonly appended: readonly AppendedRecord[];
  /** The stream's last revision and the position of its last event after the call. */
  readonly revision: number;
  readonly position: bigint;
}

export const fold = <S, E>(evolve: (s: S, e: E) => S, initial: S, events: readonly RecordedEvent[]): S =>
  events.reduce((s, e) => evolve(s, { type: e.type, data: e.data } as E), initial);

const backoff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, backoffDelay(CONFLICT_RETRY, attempt)));

/**
 * Load → decide → append with the expected revision → fold the new events onto the state decided on.
 * The state comes from `StreamStates` (memory, then snapshot, then only the events after it), so a
 * command costs the same on a card's first event and its fifty-thousandth. A state that came from
 * memory may be behind another process's writes: a refusal or a no-op decided on it is checked
 * against the store before it is answered, and an append decided on it fails on its revision. A
 * conflict means someone wrote in between: catch up and decide again, a bounded number of times.
 */
export const handleCommand = async <C, S, E extends { type: string; data: unknown }>(
  target: EventStore | StreamStates,
  streamId: string,
  decider: DeciderLike<C, S, E>,
  command: C,
  options: HandleOptions<E>,
): Promise<HandleResult<S>> => {
  const states = target instanceof StreamStates ? target : new StreamStates(target, { maxStreams: 0 });
  const attempts = options.maxAttempts ?? CONFLICT_RETRY.attempts;
  let { folded, fresh } = await states.load(streamId, decider);
  const catchUp = async (): Promise<boolean> => {
    const before = folded.revision;
    folded = await states.catchUp(streamId, decider, folded);
    fresh = true;
    return folded.revision !== before;
  };
  for (let attempt = 1; ; attempt++) {
    let events: E[];
    try {
      events = decider.decide(command, folded.state);
    } catch (err) {
      if (!fresh && (await catchUp())) continue;
      throw err;
    }
    if (events.length === 0) {
      if (!fresh && (await catchUp())) continue;
      return { state: folded.state, appended: [], revision: folded.revision, position: folded.position };
    }
    const toAppend = chainNewEvents(streamId, folded, events, options);
    let result;
    try {
      result = await states.store.appendToStream(streamId, toAppend, folded.revision < 0 ? 'no_stream' : folded.revision);
    } catch (err) {
      if (err instanceof ConcurrencyError && attempt < attempts) {
        await catchUp();
        await backoff(attempt);
        continue;
      }
      if (err instanceof ConcurrencyError) states.forget(streamId);
      throw err;
    }
    if (result.replayed || result.events[0].revision !== folded.revision + 1) {
      // A replay of an append that already landed (an earlier attempt of this very command).
      await catchUp();
      const byId = new Map(toAppend.map((e) => [e.id, e]));
      const appended = result.events.map((w) => ({ ...byId.get(w.id)!, ...w, streamId }));
      return { state: folded.state, appended, revision: folded.revision, position: folded.position };
    }
    const appended: AppendedRecord[] = toAppend.map((e, i) => ({ ...e, ...result.events[i], streamId }));
    const previous = folded.revision;
    folded = foldOnto(decider, folded, appended as unknown as RecordedEvent[]);
    states.remember(streamId, decider, folded, previous);
    return { state: folded.state, appended, revision: folded.revision, position: folded.position };
  }
};

/** Deterministic ids (derived from the idempotency key) and hash links continuing the stream's chain. */
export const chainNewEvents = <S, E extends { type: string; data: unknown }>(
  streamId: string,
  folded: Folded<S>,
  events: readonly E[],
  options: HandleOptions<E>,
): EventToAppend[] => {
  const { idempotencyKey } = options.metadata;
  const next = folded.revision + 1;
  let previous = folded.link;
  return events.map((e, i) => {
    const id =
      options.eventId?.(e, i) ??
      (options.idsPerRevision
        ? deterministicId(streamId, idempotencyKey, options.step ?? 'main', `@${next}`, String(i))
        : deterministicId(streamId, idempotencyKey, options.step ?? 'main', String(i)));
    const draft = { id, type: e.type, data: e.data, metadata: options.metadata };
    const link = linkFor(previous, { ...draft, streamId, revision: next + i });
    previous = link;
    return { ...draft, metadata: { ...options.metadata, hashLink: link } };
  });
};
