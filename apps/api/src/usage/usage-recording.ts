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
import { DeciderLike, DuplicateEventIdError, EventMetadata, StreamStates, deterministicId, handleCommand } from '@ledger/event-store';

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

/**
 * Records usage on one card in as few appends as it can: one, unless a record turns out to be a
 * late duplicate the store recognises by its event id; that record is answered as a duplicate and
 * the others are appended again without it.
 */
export const recordCardUsage = async (
  states: StreamStates,
  subscriptionId: string,
  records: readonly UsageRecord[],
  metadata: (idempotencyKey: string) => EventMetadata,
): Promise<UsageOutcome[]> => {
  const streamId = subscriptionStreamId(subscriptionId);
  const lateDuplicates = new Set<string>();
  for (;;) {
    const pending = records.filter((r) => !lateDuplicates.has(r.usageId));
    const outcomes: Decided[] = [];
    const byEventId = new Map(pending.map((r) => [usageEventId(streamId, r.usageId), r.usageId]));
    const key = `usage:${createHash('sha256')
      .update(pending.map((r) => r.usageId).join('\n'))
      .digest('hex')
      .slice(0, 32)}`;
    try {
      const result = await handleCommand(states, streamId, batchDecider(pending, outcomes), null, {
        metadata: metadata(key),
        idsPerRevision: true,
        eventId: (e) => (e.type === 'DataUsageRecorded' ? usageEventId(streamId, e.data.usageId) : undefined),
      });
      const remaining = result.state.status === 'Active' ? dataRemainingMb(result.state) : 0;
      const positionOf = new Map(result.appended.map((e) => [e.id, e.position.toString()]));
      let k = 0;
      return records.map((r): UsageOutcome => {
        if (lateDuplicates.has(r.usageId))
          return { usageId: r.usageId, status: 'duplicate', dataRemainingMb: remaining, position: result.position.toString() };
        const outcome = outcomes[k++];
        if (outcome instanceof DomainError) {
          return {
            usageId: r.usageId,
            status: 'refused',
            code: outcome.code,
            detail: outcome.message,
            ...(outcome.field ? { field: outcome.field } : {}),
          };
        }
        const position = positionOf.get(usageEventId(streamId, r.usageId)) ?? result.position.toString();
        return { usageId: r.usageId, status: outcome, dataRemainingMb: remaining, position };
      });
    } catch (err) {
      const late = err instanceof DuplicateEventIdError ? byEventId.get(err.eventId) : undefined;
      if (!late) throw err;
      lateDuplicates.add(late);
      states.forget(streamId);
    }
  }
};
