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
