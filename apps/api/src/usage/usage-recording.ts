import { createHash } from 'node:crypto';
import {
  Card,
  DomainError,
  RecordUsage,
  SubscriptionEvent,
  dataRemainingMb,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import {
  CommandItem,
  DeciderLike,
  DuplicateEventIdError,
  EventMetadata,
  HandleResult,
  StreamStates,
  deterministicId,
  handleCommands,
} from '@ledger/event-store';

export interface UsageRecord {
  readonly usageId: string;
  readonly mb: number;
  /** When the network measured it; expiry is judged at this time (never later than the server's clock). */
  readonly now: string;
}

export type UsageOutcome =
  | { readonly usageId: string; readonly status: 'accepted' | 'duplicate'; readonly dataRemainingMb: number; readonly position: string }
  | { readonly usageId: string; readonly status: 'refused'; readonly code: string; readonly detail: string; readonly field?: string };

/**
 * A usage record's event id comes from the card and the usage id alone, whatever else the same
 * append holds: the store then recognises a late retry of a record however long ago it landed
 * (PostgreSQL and PGlite check event ids across the whole log), even once it has left the card's
 * recent-usage window and the decider cannot see it any more.
 */
export const usageEventId = (streamId: string, usageId: string): string => deterministicId(streamId, 'usage', usageId);

/**
 * Several records for one card decided in order on one state, so they land in one append. Each
 * record's outcome is kept beside the events; a refused record refuses only itself.
 */
type Decided = 'accepted' | 'duplicate' | DomainError;

const batchDecider = (records: readonly UsageRecord[], outcomes: Decided[]) =>
  ({
    ...subscriptionDecider,
    decide: (_: unknown, start: Card) => {
      outcomes.length = 0;
      let state = start;
      const events: SubscriptionEvent[] = [];
      records.forEach((r, i) => {
        const command: RecordUsage = { type: 'RecordUsage', usageId: r.usageId, mb: r.mb, now: r.now };
        try {
          const decided = subscriptionDecider.decide(command, state);
          outcomes[i] = decided.length ? 'accepted' : 'duplicate';
          state = decided.reduce(subscriptionDecider.evolve, state);
          events.push(...decided);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          outcomes[i] = err;
        }
      });
      return events;
    },
  }) as DeciderLike<unknown, Card, SubscriptionEvent>;

export interface CardUsage {
  readonly subscriptionId: string;
  readonly records: readonly UsageRecord[];
}

interface Job {
  readonly card: CardUsage;
  readonly streamId: string;
  /** Usage ids the store already holds (beyond the card's recent window), with the MB stored when known. */
  readonly lateDuplicates: Map<string, number | undefined>;
  pending: UsageRecord[];
  outcomes: Decided[];
}

const commandFor = (job: Job, metadata: (idempotencyKey: string) => EventMetadata): CommandItem => {
  job.pending = job.card.records.filter((r) => !job.lateDuplicates.has(r.usageId));
  job.outcomes = [];
  const key = `usage:${createHash('sha256')
    .update(job.pending.map((r) => r.usageId).join('\n'))
    .digest('hex')
    .slice(0, 32)}`;
  return {
    streamId: job.streamId,
    decider: batchDecider(job.pending, job.outcomes) as CommandItem['decider'],
    command: null,
    options: {
      metadata: metadata(key),
      idsPerRevision: true,
      eventId: (e) => (e.type === 'DataUsageRecorded' ? usageEventId(job.streamId, (e.data as { usageId: string }).usageId) : undefined),
    },
  };
};

const answer = (job: Job, result: HandleResult<unknown>): UsageOutcome[] => {
  const state = result.state as Card;
  const remaining = state.status === 'Active' ? dataRemainingMb(state) : 0;
  const positionOf = new Map(result.appended.map((e) => [e.id, e.position.toString()]));
  let k = 0;
  return job.card.records.map((r): UsageOutcome => {
    if (job.lateDuplicates.has(r.usageId)) {
      const stored = job.lateDuplicates.get(r.usageId);
      if (stored !== undefined && stored !== r.mb) {
        const detail = `usage ${r.usageId} was already recorded with ${stored} MB`;
        return { usageId: r.usageId, status: 'refused', code: 'USAGE_ID_REUSED', detail, field: 'usageId' };
      }
      return { usageId: r.usageId, status: 'duplicate', dataRemainingMb: remaining, position: result.position.toString() };
    }
    const outcome = job.outcomes[k++];
    if (outcome instanceof DomainError) {
      return {
        usageId: r.usageId,
        status: 'refused',
        code: outcome.code,
        detail: outcome.message,
        ...(outcome.field ? { field: outcome.field } : {}),
      };
    }
    const position = positionOf.get(usageEventId(job.streamId, r.usageId)) ?? result.position.toString();
    return { usageId: r.usageId, status: outcome, dataRemainingMb: remaining, position };
  });
};

/**
 * Records usage on many cards: each card's records are decided in order on its state and become
 * one append, and the appends of all cards go to the store together (one round trip on
 * PostgreSQL). A record the store recognises as a late duplicate by its event id is answered as a
 * duplicate (or, where the stored record has another MB, refused as USAGE_ID_REUSED) and its card
 * is decided again without it. A card's other errors (its writers kept
 * conflicting) come back as that card's error; the other cards are answered.
 */
export const recordUsage = async (
  states: StreamStates,
  cards: readonly CardUsage[],
  metadata: (idempotencyKey: string) => EventMetadata,
): Promise<(UsageOutcome[] | Error)[]> => {
  const results: (UsageOutcome[] | Error)[] = new Array(cards.length);
  let jobs = cards.map((card, i) => ({
    i,
    job: { card, streamId: subscriptionStreamId(card.subscriptionId), lateDuplicates: new Map(), pending: [], outcomes: [] } as Job,
  }));
  while (jobs.length > 0) {
    const outcomes = await handleCommands(
      states,
      jobs.map(({ job }) => commandFor(job, metadata)),
    );
    const again: typeof jobs = [];
    for (const [k, o] of outcomes.entries()) {
      const { i, job } = jobs[k];
      if (o.ok) {
        results[i] = answer(job, o.result);
        continue;
      }
      const clash = o.error instanceof DuplicateEventIdError ? o.error.eventId : undefined;
      const late = clash && job.pending.find((r) => usageEventId(job.streamId, r.usageId) === clash);
      if (!late) {
        results[i] = o.error instanceof Error ? o.error : new Error(String(o.error));
        continue;
      }
      // Where the store can look an event up by id, the stored MB tells a retry from a reused id.
      const [original] = (await states.store.readEvents?.([clash])) ?? [];
      const storedMb = original?.type === 'DataUsageRecorded' ? (original.data as { mb: number }).mb : undefined;
      job.lateDuplicates.set(late.usageId, storedMb);
      states.forget(job.streamId);
      again.push(jobs[k]);
    }
    jobs = again;
  }
  return results;
};

/** One card's records (the single-record endpoint): its error, if any, is thrown. */
export const recordCardUsage = async (
  states: StreamStates,
  subscriptionId: string,
  records: readonly UsageRecord[],
  metadata: (idempotencyKey: string) => EventMetadata,
): Promise<UsageOutcome[]> => {
  const [result] = await recordUsage(states, [{ subscriptionId, records }], metadata);
  if (result instanceof Error) throw result;
  return result;
};
