import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { PROJECTION_CHANNEL, ProjectionPosition } from '@ledger/read-models';

/**
 * With the projector in another process, the API LISTENs for its commits instead of polling the
 * checkpoint table for every waiting query. If the connection drops, waits fall back to polling.
 */
export const listenForProjections = async (url: string, position: ProjectionPosition): Promise<{ close(): Promise<void> }> => {
  const logger = new Logger('Projection');
  const client = new Client({ connectionString: url });
  client.on('notification', () => position.notified());
  client.on('error', (err) => {
    logger.warn(`lost the ${PROJECTION_CHANNEL} notifications (${err.message}); minPosition waits poll the checkpoint table instead`);
    position.notified(true);
  });
  await client.connect();
  await client.query(`LISTEN ${PROJECTION_CHANNEL}`);
  position.notified();
  return { close: () => client.end().catch(() => undefined) };
};
