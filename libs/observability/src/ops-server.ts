import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE, metricsText } from './metrics';
import { within } from './within';

/** One dependency's answer; `up: false` makes the process not ready. */
export interface CheckResult {
  readonly up: boolean;
  readonly [detail: string]: unknown;
}

export type ReadinessChecks = Record<string, () => Promise<CheckResult>>;

export interface OpsServerOptions {
  readonly port: number;
  readonly host: string;
  /** What must answer for the process to take work; checked at every GET /health/ready. */
  readonly ready: () => ReadinessChecks;
  /** Further GET routes of the process (the publisher's detailed /health). */
  readonly routes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A check's answer within the probe's bound: a dependency that hangs is down, not a hanging probe. */
export const timed = (check: () => Promise<CheckResult>): Promise<CheckResult> => within(check, (message) => ({ up: false, message }));

/** The readiness of a process on the ledger's stores: both answer a trivial read. */
export const storesAnswer = (stores: {
  readonly store: { readAll(options: { limit: number }): Promise<unknown> };
  readonly dataSource: { query(sql: string): Promise<unknown> };
}): ReadinessChecks => ({
  eventStore: async () => (await stores.store.readAll({ limit: 1 }), { up: true }),
  readModels: async () => (await stores.dataSource.query('SELECT 1'), { up: true }),
});

/** The body @nestjs/terminus gives, so every process's probes read alike: {status, info, error, details}. */
export const terminusBody = async (checks: ReadinessChecks): Promise<{ ok: boolean; body: unknown }> => {
  const details: Record<string, Record<string, unknown>> = {};
  for (const [name, result] of await Promise.all(Object.entries(checks).map(async ([n, c]) => [n, await timed(c)] as const))) {
    const { up, ...rest } = result;
    details[name] = { status: up ? 'up' : 'down', ...rest };
  }
  const pick = (status: string) => Object.fromEntries(Object.entries(details).filter(([, d]) => d.status === status));
  const ok = Object.values(details).every((d) => d.status === 'up');
  return { ok, body: { status: ok ? 'ok' : 'error', info: pick('up'), error: pick('down'), details } };
};

/**
 * The operators' port of a process without the API's HTTP server (projector, publisher, audit
 * follower): GET /metrics (Prometheus), /health/live (the process answers), /health/ready (its
 * dependencies answer and it is past its start: a process still migrating is live, not ready).
 */
export const startOpsServer = async (options: OpsServerOptions): Promise<OpsServer> => {
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET') return json(res, 405, { error: 'only GET' });
    if (path === '/metrics') {
      metricsText().then(
        (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(text),
        (err: Error) => json(res, 500, { error: err.message }),
      );
      return;
    }
    if (path === '/health/live') return json(res, 200, { status: 'ok', info: {}, error: {}, details: {} });
    if (path === '/health/ready') {
      Promise.resolve()
        .then(() => terminusBody(options.ready()))
        .then(
          ({ ok, body }) => json(res, ok ? 200 : 503, body),
          (err: Error) =>
            json(res, 503, { status: 'error', info: {}, error: { ready: { status: 'down', message: err.message } }, details: {} }),
        );
      return;
    }
    const route = path ? options.routes?.[path] : undefined;
    if (route) return route(req, res);
    json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
