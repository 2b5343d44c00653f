import { createHash, timingSafeEqual } from 'node:crypto';
import { AddressInfo } from 'node:net';
import Fastify, { FastifyError, FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE, metricsText } from '@ledger/observability';
import { registerApiRoutes } from './api-routes';
import { lockDataDirectory } from '@ledger/event-store';
import { Journal } from './journal';
import { PspLedger } from './ledger';
import { ApiError, Faults } from './model';
import { registerOwnerRoutes } from './owner-routes';
import { seededRandom } from './rng';
import { SandboxLog, WebhookDispatcher } from './webhook-dispatcher';

export type { Faults } from './model';

export interface PspSandboxOptions {
  /** 0 = a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Where the journal lives; null = memory only (unit tests). */
  readonly dataDir: string | null;
  readonly apiKey: string;
  readonly webhookUrl?: string;
  readonly webhookSecret: string;
  readonly latencyMs?: number;
  /** Serve /metrics and the probes (standalone only: inside the API they would expose the API's process). */
  readonly operatorsEndpoints?: boolean;
  readonly webhookDuplicateRate?: number;
  readonly webhookReorderMs?: number;
  readonly seed?: number;
  readonly log?: SandboxLog;
}

export interface PspSandbox {
  readonly url: string;
  close(): Promise<void>;
  setFaults(faults: Faults): void;
}

const SILENT: SandboxLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

const sha = (value: string): Buffer => createHash('sha256').update(value).digest();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const behindKey = (url: string): boolean => url.startsWith('/v1/') || url.startsWith('/sandbox/');

/** A payment provider as a real HTTP service, with the faults a ledger has to survive on demand. */
export const startPspSandbox = async (options: PspSandboxOptions): Promise<PspSandbox> => {
  const log = options.log ?? SILENT;
  const host = options.host ?? '127.0.0.1';
  // One writer per journal: a second sandbox on the same directory refuses instead of interleaving.
  const lock = options.dataDir ? await lockDataDirectory(options.dataDir) : null;
  const { journal, records } = Journal.open(options.dataDir);
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  let url = '';
  let closed = false;
  let faults: Required<Omit<Faults, 'latencyMs'>> & Pick<Faults, 'latencyMs'> = { failNext: 0, hangNext: 0, webhooksPaused: false };
  const dispatcher = new WebhookDispatcher({
    url: options.webhookUrl,
    secret: options.webhookSecret,
    duplicateRate: options.webhookDuplicateRate ?? 0,
    reorderMs: options.webhookReorderMs ?? 0,
    random,
    onDelivered: (id) => closed || ledger.markDelivered(id),
    log,
  });
  const ledger = new PspLedger(
    journal,
    () => url,
    (event) => dispatcher.enqueue(event),
  );
  ledger.replay(records);
  const setFaults = (next: Faults): void => {
    const defined = Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined));
    faults = { ...faults, ...defined };
    dispatcher.setPaused(faults.webhooksPaused);
  };

  // Closing cuts every connection, answered or not: a hung request must not keep close() waiting,
  // and a cut answer is just another lost reply, which clients must survive anyway.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true });
  const hung = new WeakSet<object>();
  const expectedKey = sha(`Bearer ${options.apiKey}`);

  // Browsers post the owner pages' forms urlencoded; their fields are not needed, only accepted.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.addHook('onRequest', async (req, reply) => {
    if (!behindKey(req.url)) return;
    if (!timingSafeEqual(sha(req.headers.authorization ?? ''), expectedKey)) {
      return reply.code(401).send({ error: { code: 'unauthorized', message: 'Authorization: Bearer <api key> required' } });
    }
    if (!req.url.startsWith('/v1/')) return;
    if (faults.failNext > 0) {
      faults = { ...faults, failNext: faults.failNext - 1 };
      return reply.code(503).send({ error: { code: 'unavailable', message: 'sandbox fault: failNext' } });
    }
    if (faults.hangNext > 0) {
      faults = { ...faults, hangNext: faults.hangNext - 1 };
      hung.add(req);
    }
  });

  app.addHook('onSend', async (req, _reply, payload) => {
    if (hung.has(req)) {
      // The work is done and journalled; the answer is lost, as when a provider's reply dies on the way.
      return new Promise<never>(() => undefined);
    }
    const latency = faults.latencyMs ?? options.latencyMs ?? 0;
    if (req.url.startsWith('/v1/') && latency > 0) await sleep(latency);
    return payload;
  });

  // The operators' endpoints every ledger process has, when it runs on its own.
  if (options.operatorsEndpoints) registerOperatorsEndpoints(app);

  app.setErrorHandler((err: FastifyError | ApiError, _req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: status === 413 ? 'body_too_large' : 'invalid_request', message: err.message } });
    }
    log.error(`internal error: ${err.stack ?? err.message}`);
    return reply.code(500).send({ error: { code: 'internal_error', message: 'internal error' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url}` } }),
  );

  registerApiRoutes(app, { ledger, faults: () => faults, setFaults });
  registerOwnerRoutes(app, ledger);

  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (err) {
    dispatcher.close();
    journal.close();
    await lock?.release();
    throw err;
  }
  const { port } = app.server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  url = `http://${urlHost}:${port}`;
  // Events journalled but never acknowledged (the previous run was stopped) go out again.
  for (const event of ledger.pendingEvents()) dispatcher.enqueue(event);
  log.info(`psp sandbox listening on ${url} (${records.length} journal records replayed)`);

  return {
    url,
    setFaults,
    close: async () => {
      if (closed) return;
      closed = true;
      dispatcher.close();
      await app.close();
      journal.close();
      await lock?.release();
    },
  };
};

const registerOperatorsEndpoints = (app: FastifyInstance): void => {
  app.get('/metrics', async (_req, reply) => reply.type(METRICS_CONTENT_TYPE).send(await metricsText()));
  app.get('/health/live', async () => ({ status: 'ok', info: {}, error: {}, details: {} }));
  // It listens only once its journal is open and replayed.
  app.get('/health/ready', async () => ({
    status: 'ok',
    info: { journal: { status: 'up' } },
    error: {},
    details: { journal: { status: 'up' } },
  }));
};
