import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { DestinationStream, Level, Logger, LoggerOptions } from 'pino';
import { ConfigError } from '@ledger/config';

export type { Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';

export interface LogSettings {
  readonly level: Level | 'silent';
  readonly format: LogFormat;
  /** Colour codes: only pretty lines to a terminal, and never with NO_COLOR. */
  readonly colour: boolean;
}

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOG_LEVEL (default info) and LOG_FORMAT (json, or pretty; unset: pretty on a terminal, json otherwise). */
export const logSettings = (env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): LogSettings => {
  const level = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LEVELS.includes(level)) throw new ConfigError('LOG_LEVEL', `"${env.LOG_LEVEL}" is not one of ${LEVELS.join(', ')}`);
  const format = env.LOG_FORMAT ? env.LOG_FORMAT.toLowerCase() : isTTY ? 'pretty' : 'json';
  if (format !== 'json' && format !== 'pretty') throw new ConfigError('LOG_FORMAT', `"${env.LOG_FORMAT}" is neither json nor pretty`);
  const colour = format === 'pretty' && isTTY && env.NO_COLOR === undefined;
  return { level: level as LogSettings['level'], format, colour };
};

/** What must never reach a log line, wherever a request or response object is logged. */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** The active span's ids, when a tracer is registered and something is being traced. */
const traceFields = (): Record<string, string> => {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
};

export interface CreateLoggerOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where lines go (stdout by default); its isTTY decides the default format and colour. */
  readonly stream?: DestinationStream & { isTTY?: boolean };
}

/**
 * The one logger of a ledger process: a JSON object per line on stdout with `app`, `pid`, an ISO
 * `time`, the level's name and, while a span is active, `trace_id` and `span_id`. Request lines
 * carry `correlation_id` as a binding of the request's child logger (see the API's request logging).
 */
export const createLogger = (app: string, options: CreateLoggerOptions = {}): Logger => {
  const stream = options.stream;
  const settings = logSettings(options.env ?? process.env, Boolean(stream ? stream.isTTY : process.stdout.isTTY));
  const pinoOptions: LoggerOptions = {
    level: settings.level,
    base: { app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceFields,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  return pino(
    pinoOptions,
    settings.format === 'pretty' ? prettyStream(settings, stream) : (stream ?? pino.destination({ dest: 1, sync: true })),
  );
};

/** pino-pretty in this process (no worker thread); a development dependency, so JSON without it. */
const prettyStream = (settings: LogSettings, stream?: DestinationStream): DestinationStream => {
  let pretty: typeof import('pino-pretty');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for, so production installs need not have it
    pretty = require('pino-pretty');
  } catch {
    process.stderr.write('LOG_FORMAT=pretty needs the pino-pretty package (a development dependency): logging JSON\n');
    return stream ?? pino.destination({ dest: 1, sync: true });
  }
  return pretty({
    colorize: settings.colour,
    sync: true,
    ignore: 'pid,app,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    translateTime: 'SYS:HH:MM:ss.l',
    ...(stream ? { destination: stream } : {}),
  });
};

/** createLogger for a process's main: a bad LOG_LEVEL or LOG_FORMAT stops it with exit code 2, naming the variable. */
export const processLogger = (app: string): Logger => {
  try {
    return createLogger(app);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
};
