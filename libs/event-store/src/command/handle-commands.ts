import { AppendResult, ConcurrencyError, RecordedEvent, appendToStreams } from '../port/event-store.port';
import { AppendedRecord, DeciderLike, HandleOptions, HandleResult, chainNewEvents } from './handle-command';
import { Folded } from './snapshots';
import { CONFLICT_RETRY } from '../port/retry';
import { StreamStates, foldOnto } from './stream-states';

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
        const retry = answer instanceof ConcurrencyError && w.attempt < (w.item.options.maxAttempts ?? CONFLICT_RETRY.attempts);
        if (retry) {
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
