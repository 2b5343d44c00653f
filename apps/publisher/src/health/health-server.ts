import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Publisher } from '../gateway/publisher';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * GET /health: 200 while the publisher acknowledges batches, 503 while it is retrying a broker
 * or store failure (or cannot measure its lag). The body says how far behind the store it is.
 */
export const startHealthServer = async (
  publisher: Publisher,
  port: number,
  host: string,
  labels: Record<string, string> = {},
): Promise<HealthServer> => {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/health') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const status = publisher.status();
    publisher
      .lag()
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
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
