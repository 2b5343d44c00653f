import { DataSource } from 'typeorm';
import { ProjectionPosition } from '@ledger/read-models';
import { ProblemException } from './problem';

/** Bounded wait for `minPosition`; past the bound the client learns the view is behind, not stale data. */
export const awaitProjection = async (position: ProjectionPosition, minPosition: bigint | undefined): Promise<void> => {
  if (minPosition === undefined) return;
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
