import {
  AppendResult,
  AppendedEvent,
  ConcurrencyError,
  EventMetadata,
  EventStore,
  EventToAppend,
  RecordedEvent,
  appendToStreams,
} from '../port/event-store.port';
import { deterministicId } from './deterministic-id';
import { CONFLICT_RETRY, backoffDelay } from '../port/retry';
import { linkFor } from '../audit/hash-chain';
import { Folded } from './snapshots';
import { commandRetriesTotal, concurrencyConflictsTotal, currentTraceparent, streamCategory } from '@ledger/observability';
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
 * It is `handleCommands` with one stream.
 */
export const handleCommand = async <C, S, E extends { type: string; data: unknown }>(
  target: EventStore | StreamStates,
  streamId: string,
  decider: DeciderLike<C, S, E>,
  command: C,
  options: HandleOptions<E>,
): Promise<HandleResult<S>> => {
  const states = target instanceof StreamStates ? target : new StreamStates(target, { maxStreams: 0 });
  const item = { streamId, decider, command, options } as unknown as CommandItem;
  const [outcome] = await handleCommands(states, [item]);
  if (!outcome.ok) throw outcome.error;
  return outcome.result as HandleResult<S>;
};

/** Deterministic ids (derived from the idempotency key) and hash links continuing the stream's chain. */
export const chainNewEvents = <S, E extends { type: string; data: unknown }>(
  streamId: string,
  folded: Folded<S>,
  events: readonly E[],
  options: HandleOptions<E>,
): EventToAppend[] => {
  const { idempotencyKey } = options.metadata;
  // The trace that decided the events goes with them, so their projection and publication continue it.
  const traceparent = options.metadata.traceparent ?? currentTraceparent();
  const metadata = traceparent ? { ...options.metadata, traceparent } : options.metadata;
  const next = folded.revision + 1;
  let previous = folded.link;
  return events.map((e, i) => {
    const id =
      options.eventId?.(e, i) ??
      (options.idsPerRevision
        ? deterministicId(streamId, idempotencyKey, options.step ?? 'main', `@${next}`, String(i))
        : deterministicId(streamId, idempotencyKey, options.step ?? 'main', String(i)));
    const draft = { id, type: e.type, data: e.data, metadata };
    const link = linkFor(previous, { ...draft, streamId, revision: next + i });
    previous = link;
    return { ...draft, metadata: { ...metadata, hashLink: link } };
  });
};

export interface CommandItem<E extends { type: string; data: unknown } = { type: string; data: unknown }> {
  readonly streamId: string;
  readonly decider: DeciderLike<unknown, unknown, E>;
  readonly command: unknown;
  readonly options: HandleOptions<E>;
}

export type ItemOutcome = { readonly ok: true; readonly result: HandleResult<unknown> } | { readonly ok: false; readonly error: unknown };

interface Work {
  readonly k: number;
  readonly item: CommandItem;
  folded: Folded<unknown>;
  fresh: boolean;
  attempt: number;
}

/**
 * `handleCommand` for many streams at once (one command per stream): every stream decides on its
 * own state, and the decisions go to the store in one multi-stream append. A stream that conflicts
 * catches up and decides again in the next round with the others that did; each item is answered
 * with its own result or error, and one item's refusal never holds the others back.
 */
export const handleCommands = async (states: StreamStates, items: readonly CommandItem[]): Promise<ItemOutcome[]> => {
  const outcomes: ItemOutcome[] = new Array(items.length);
  const loaded = await Promise.all(items.map((item) => states.load(item.streamId, item.decider)));
  let work: Work[] = items.map((item, k) => ({ k, item, ...loaded[k], attempt: 1 }));
  const done = (w: Work, result: Omit<HandleResult<unknown>, 'state'> & { state?: unknown }) =>
    (outcomes[w.k] = { ok: true, result: { state: w.folded.state, ...result } });
  while (work.length > 0) {
    const again: Work[] = [];
    const writes: { w: Work; events: ReturnType<typeof chainNewEvents> }[] = [];
    const replays: { w: Work; events: ReturnType<typeof chainNewEvents>; answer: AppendResult }[] = [];
    for (const w of work) {
      let decided: { type: string; data: unknown }[];
      try {
        decided = w.item.decider.decide(w.item.command, w.folded.state);
      } catch (error) {
        if (!w.fresh) again.push(w);
        else outcomes[w.k] = { ok: false, error };
        continue;
      }
      if (decided.length === 0) {
        if (!w.fresh) again.push(w);
        else done(w, { appended: [], revision: w.folded.revision, position: w.folded.position });
        continue;
      }
      writes.push({ w, events: chainNewEvents(w.item.streamId, w.folded, decided, w.item.options) });
    }
    const answers = await appendToStreams(
      states.store,
      writes.map(({ w, events }) => ({
        streamId: w.item.streamId,
        events,
        expected: w.folded.revision < 0 ? 'no_stream' : w.folded.revision,
      })),
    );
    writes.forEach(({ w, events }, i) => {
      const answer = answers[i];
      if (answer instanceof Error) {
        if (answer instanceof ConcurrencyError) concurrencyConflictsTotal.inc({ category: streamCategory(w.item.streamId) });
        const retry = answer instanceof ConcurrencyError && w.attempt < (w.item.options.maxAttempts ?? CONFLICT_RETRY.attempts);
        if (retry) {
          commandRetriesTotal.inc({ category: streamCategory(w.item.streamId) });
          w.attempt++;
          w.fresh = false; // decide again after catching up
          again.push(w);
        } else {
          if (answer instanceof ConcurrencyError) states.forget(w.item.streamId);
          outcomes[w.k] = { ok: false, error: answer };
        }
        return;
      }
      if (answer.replayed || answer.events[0].revision !== w.folded.revision + 1) replays.push({ w, events, answer });
      else settle(states, w, events, answer, done);
    });
    await Promise.all(
      [...again, ...replays.map((r) => r.w)].map(async (w) => {
        w.folded = await states.catchUp(w.item.streamId, w.item.decider, w.folded);
        w.fresh = true;
      }),
    );
    // Writers that lost a revision race wait a little before deciding again, so they do not collide again.
    const conflicted = Math.max(0, ...again.map((w) => w.attempt - 1));
    if (conflicted > 0) await backoff(conflicted);
    // A replay of an append that already landed (an earlier attempt): answered with the original places.
    for (const { w, events, answer } of replays) {
      const byId = new Map(events.map((e) => [e.id, e]));
      const appended = answer.events.map((a) => ({ ...byId.get(a.id)!, ...a, streamId: w.item.streamId }));
      done(w, { appended, revision: w.folded.revision, position: w.folded.position });
    }
    work = again;
  }
  return outcomes;
};

const settle = (
  states: StreamStates,
  w: Work,
  events: ReturnType<typeof chainNewEvents>,
  answer: AppendResult,
  done: (w: Work, r: Omit<HandleResult<unknown>, 'state'>) => void,
): void => {
  const streamId = w.item.streamId;
  const appended: AppendedRecord[] = events.map((e, i) => ({ ...e, ...answer.events[i], streamId }));
  const previous = w.folded.revision;
  w.folded = foldOnto(w.item.decider, w.folded, appended as unknown as RecordedEvent[]);
  states.remember(streamId, w.item.decider, w.folded, previous);
  done(w, { appended, revision: w.folded.revision, position: w.folded.position });
};
