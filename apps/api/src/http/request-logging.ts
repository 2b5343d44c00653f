import { IncomingMessage, ServerResponse } from 'node:http';
import { Logger as PinoNestLogger, Params, PinoLogger } from 'nestjs-pino';
import type { Logger } from '@ledger/observability';
import { correlationIdOf } from './request-context';

// Probes and scrapes arrive every few seconds: their successes are noise at info.
const PROBE = /^\/(health|metrics)(\/|\?|$)/;

/**
 * A 4xx is the client's business (a 401 flood is not a fault of ours); a 503 is load shed or a
 * dependency (the payment provider, a store) unavailable, which retries cover: a warning; any other
 * 5xx is ours to fix.
 */
export const responseLevel = (req: IncomingMessage, res: ServerResponse, err?: Error): 'debug' | 'info' | 'warn' | 'error' => {
  if (res.statusCode === 503) return 'warn';
  if (err || res.statusCode >= 500) return 'error';
  return PROBE.test(req.url ?? '') && res.statusCode < 400 ? 'debug' : 'info';
};

/**
 * pino-http through nestjs-pino: one line per response with the request (headers redacted by the
 * root logger), and a child logger bound to `correlation_id` that nestjs-pino keeps in the request's
 * AsyncLocalStorage, so every Nest `Logger` line written while serving it (command handlers,
 * payment processes it drives) carries the id. The id itself is Fastify's request id (see
 * `correlationIdOf`), which middie hands to pino-http as `req.id`.
 */
export const requestLogging = (root: Logger): Params => ({
  pinoHttp: {
    logger: root,
    genReqId: (req) => correlationIdOf(req),
    customAttributeKeys: { reqId: 'correlation_id' },
    quietReqLogger: true,
    customLogLevel: responseLevel,
    // The status is the news; helmet's dozen security headers on every line are not.
    serializers: {
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      req: (req: { id?: unknown; method?: string; url?: string; headers?: unknown; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: withoutQueryValues(req.url ?? ''),
        headers: req.headers,
        remoteAddress: req.remoteAddress,
      }),
    },
  },
});

/**
 * Query strings carry phone numbers, ICCIDs and account ids (`/v1/sandbox/sms?phoneNumber=…`,
 * `/v1/subscriptions?iccid=…`): logs keep the names, not the values, so they hold no personal data
 * the staff CLI's erasure could not reach.
 */
export const withoutQueryValues = (url: string): string => {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = [...new URLSearchParams(url.slice(q + 1)).keys()];
  return `${url.slice(0, q)}?${names.map((n) => `${encodeURIComponent(n)}=…`).join('&')}`;
};

// Nest's start-up inventory (every module, controller and route) is for whoever debugs the wiring.
const WIRING = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Nest's logger on pino; in a request, on that request's child logger. */
export class LedgerNestLogger extends PinoNestLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (WIRING.has(optionalParams[optionalParams.length - 1] as string)) super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/** The bridge for `Logger.overrideLogger` and `NestFactory.create`, usable before any Nest module exists. */
export const nestLogger = (root: Logger): LedgerNestLogger => {
  const params = requestLogging(root);
  return new LedgerNestLogger(new PinoLogger(params), params);
};
