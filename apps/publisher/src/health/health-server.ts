import type { IncomingMessage, ServerResponse } from 'node:http';
import { OpsServer, ReadinessChecks, startOpsServer } from '@ledger/observability';
import type { Publisher } from '../gateway/publisher';

export type HealthServer = OpsServer;

/**
 * GET /health: 200 while the publisher acknowledges batches, 503 while it is retrying a broker
 * or store failure (or cannot measure its lag). The body says how far behind the store it is.
 */
export const publisherHealth =
  (publisher: () => Publisher | null, labels: Record<string, string>) =>
  (_req: IncomingMessage, res: ServerResponse): void => {
    const p = publisher();
    if (!p) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'starting', ...labels }));
      return;
    }
    const status = p.status();
    p.lag()
      .then(
        (lag) => ({ events: lag.events, seconds: Math.round(lag.seconds * 1000) / 1000, capped: lag.capped }),
        (err: Error) => ({ error: err.message }),
      )
      .then((lag) => {
        const healthy = status.state === 'running' && status.lastError === null && !('error' in lag);
        const body = {
          status: healthy ? 'up' : 'degraded',
          ...labels,
          state: status.state,
          checkpoint: status.checkpoint.toString(),
          lag,
          published: status.published,
          deadLettered: status.deadLettered,
          dropped: status.dropped,
          lastAckAt: status.lastAckAt,
          lastError: status.lastError,
        };
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
  };

/**
 * Ready once it publishes: started (topics exist, checkpoint read) and not retrying the broker or
 * the store. A publisher whose last attempt failed but which has nothing left to send (the store
 * answers, no event after its checkpoint) is ready too: on an idle ledger nothing would otherwise
 * clear the error, and it has nothing to be not ready for.
 */
export const publisherReadiness = (publisher: () => Publisher | null): ReadinessChecks => ({
  publisher: async () => {
    const p = publisher();
    if (!p) return { up: false, message: 'starting: waiting for the store and the broker' };
    const { state, lastError } = p.status();
    if (state === 'running' && lastError === null) return { up: true, state };
    const pending = await p.lag().then(
      (lag) => lag.events,
      () => null,
    );
    return { up: state !== 'stopped' && pending === 0, state, pending, ...(lastError ? { lastError: lastError.message } : {}) };
  },
});

/**
 * The publisher's operators' port: /health (above), /health/live, /health/ready and /metrics.
 * It listens from the start, so a publisher waiting for its broker is live and says why it is not ready.
 */
export const startHealthServer = async (
  publisher: Publisher | (() => Publisher | null),
  port: number,
  host: string,
  labels: Record<string, string> = {},
): Promise<HealthServer> => {
  const current = typeof publisher === 'function' ? publisher : () => publisher;
  return startOpsServer({ port, host, ready: () => publisherReadiness(current), routes: { '/health': publisherHealth(current, labels) } });
};
