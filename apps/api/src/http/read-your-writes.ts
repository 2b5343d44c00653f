import { DataSource } from 'typeorm';
import { EventStore } from '@ledger/event-store';
import { ProjectionPosition } from '@ledger/read-models';
import { ProblemException } from './problem';

/**
 * Positions the ledger hands out are positions of events, so an event exists at or after any
 * position a client got from a command. When none does, the position was never handed out:
 * waiting for it would only end in a 503, so it is refused at once.
 */
const inLog = async (store: EventStore, minPosition: bigint): Promise<boolean> => {
  if (minPosition === 0n) return true;
  try {
    return (await store.readAll({ fromPosition: minPosition - 1n, limit: 1, unsettled: true })).length > 0;
  } catch {
    // A store that cannot read from an arbitrary position: wait as before.
    return true;
  }
};

/** Bounded wait for `minPosition`; past the bound the client learns the view is behind, not stale data. */
export const awaitProjection = async (position: ProjectionPosition, minPosition: bigint | undefined, store: EventStore): Promise<void> => {
  if (minPosition === undefined || (await position.reached(minPosition))) return;
  if (!(await inLog(store, minPosition))) {
    throw new ProblemException(
      400,
      'POSITION_NOT_IN_LOG',
      `no event has been written at or after position ${minPosition}; use a position a command answered`,
      'minPosition',
    );
  }
  if (await position.waitFor(minPosition)) return;
  throw new ProblemException(
    503,
    'PROJECTION_BEHIND',
    `the read model has not reached position ${minPosition} yet; retry shortly`,
    'minPosition',
  );
};

/**
 * A card a projection set aside shows its last good state in the table, which would be stale
 * without saying so: answer that this card's view is out of service instead (other cards are not).
 */
export const refuseIfSetAside = async (dataSource: DataSource, projection: string, streamId: string): Promise<void> => {
  const [aside]: { event_id: string; position: string }[] = await dataSource.query(
    'SELECT event_id, position FROM projection_quarantine WHERE name = $1 AND stream_id = $2',
    [projection, streamId],
  );
  if (!aside) return;
  throw new ProblemException(
    503,
    'READ_MODEL_FAILED',
    `the ${projection} view of this card stopped at event ${aside.event_id} (position ${aside.position}), which it could not apply; operators see it in /health and projections status`,
  );
};
