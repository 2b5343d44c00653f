import { resolve } from 'node:path';
import { HolidaySpecial } from '@ledger/domain';

export type EventStoreConfig =
  { readonly kind: 'embedded' } | { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'esdb'; readonly url: string };

export interface LedgerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly eventStore: EventStoreConfig;
  /** Read models; null means the embedded PGlite under dataDir, shared with the event store. */
  readonly databaseUrl: string | null;
  readonly kafkaBrokers: readonly string[] | null;
  readonly holidays: readonly HolidaySpecial[];
  readonly queryWaitMs: number;
  readonly projectionBatchSize: number;
  readonly runProjector: boolean;
  readonly http: HttpLimits;
  /** Streams whose folded state a process keeps in memory for commands (0: none). */
  readonly stateCacheStreams: number;
  /** A stream's state is snapshotted each time it crosses a multiple of this many events. */
  readonly snapshotEvery: number;
  readonly payments: PaymentsConfig;
  /** The card watch ([11]): on-time forfeiture and renewal reminders. */
  readonly cardWatch: { readonly run: boolean; readonly sweepMs: number };
}

/** Every bound the API puts on a client; each is documented in docs/api.md's limits table. */
export interface HttpLimits {
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly maxHeaderBytes: number;
  /** Whole request, headers and body, from the first byte: a slow body is cut off, not held open. */
  readonly requestTimeoutMs: number;
  /** Concurrent `minPosition` waits in one process; more answer 503 at once. */
  readonly maxQueryWaiters: number;
  /** Requests per caller (account, staff, client; else address) per minute; 0 turns the limits off. */
  readonly rateLimitPerMinute: number;
  /** Requests to credential routes (login, codes, refresh) per client address per minute. */
  readonly authRateLimitPerMinute: number;
  /** Origins allowed to call the API from a browser; empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[];
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid configuration: ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** An integer setting in [min, max]; empty means the fallback. Shared by every app's schema. */
export const intSetting = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `expected an integer in [${min}, ${max}], got "${raw}"`);
  return n;
};

const eventStore = (env: Env): EventStoreConfig => {
  // DATABASE_URL alone means "everything on this PostgreSQL": one setting for the common case.
  const name = env.EVENT_STORE_URL ? 'EVENT_STORE_URL' : 'DATABASE_URL';
  const url = env.EVENT_STORE_URL || env.DATABASE_URL;
  if (!url) return { kind: 'embedded' };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent):\/\//.test(url)) return { kind: 'esdb', url };
  throw new ConfigError(name, `expected postgres://…, esdb://… or kurrentdb://…, got "${url}"`);
};

const holidays = (env: Env): HolidaySpecial[] => {
  const raw = env.LEDGER_HOLIDAYS;
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('LEDGER_HOLIDAYS', 'expected a JSON array of {promotionId, from, to, percentOffBp}');
  }
  if (!Array.isArray(parsed)) throw new ConfigError('LEDGER_HOLIDAYS', 'expected a JSON array');
  return parsed.map((h: any, i) => {
    const at = `LEDGER_HOLIDAYS[${i}]`;
    if (typeof h?.promotionId !== 'string' || !h.promotionId) throw new ConfigError(at, 'promotionId must be a non-empty string');
    for (const k of ['from', 'to'] as const) {
      if (typeof h[k] !== 'string' || Number.isNaN(Date.parse(h[k]))) throw new ConfigError(at, `${k} must be an ISO-8601 time`);
    }
    if (Date.parse(h.from) >= Date.parse(h.to)) throw new ConfigError(at, 'from must be before to');
    if (!Number.isInteger(h.percentOffBp) || h.percentOffBp < 1 || h.percentOffBp > 10_000) {
      throw new ConfigError(at, 'percentOffBp must be an integer in [1, 10000] (basis points)');
    }
    return {
      promotionId: h.promotionId,
      from: new Date(h.from).toISOString(),
      to: new Date(h.to).toISOString(),
      percentOffBp: h.percentOffBp,
    };
  });
};

const corsOrigins = (env: Env): string[] => {
  const list = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of list) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new ConfigError('CORS_ORIGINS', `expected origins such as https://console.example.com, got "${origin}"`);
  }
  return list;
};

const httpLimits = (env: Env): HttpLimits => ({
  maxBodyBytes: intSetting(env, 'HTTP_MAX_BODY_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
  maxJsonDepth: intSetting(env, 'HTTP_MAX_JSON_DEPTH', 32, 2, 1000),
  maxHeaderBytes: intSetting(env, 'HTTP_MAX_HEADER_BYTES', 16 * 1024, 1024, 1024 * 1024),
  requestTimeoutMs: intSetting(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
  maxQueryWaiters: intSetting(env, 'QUERY_MAX_WAITERS', 256, 1, 100_000),
  rateLimitPerMinute: intSetting(env, 'RATE_LIMIT_PER_MINUTE', 30_000, 0, 10_000_000),
  authRateLimitPerMinute: intSetting(env, 'AUTH_RATE_LIMIT_PER_MINUTE', 60, 1, 10_000_000),
  corsOrigins: corsOrigins(env),
});

export interface PaymentsConfig {
  /** The payment provider's API; null: `npm start` runs the sandbox provider in the same process. */
  readonly pspUrl: string | null;
  readonly pspApiKey: string;
  readonly webhookSecret: string;
  /** Port of the sandbox provider `npm start` runs when PSP_URL is unset. */
  readonly sandboxPort: number;
  readonly pspTimeoutMs: number;
  /** How long a renewal request waits for the provider before answering `pending`. */
  readonly answerBudgetMs: number;
  /** After this, an unconfirmed payment is looked up at the provider. */
  readonly confirmAfterMs: number;
  /** After this, a payment still not final is cancelled and its renewal abandoned. */
  readonly abandonAfterMs: number;
  readonly runProcessManager: boolean;
}

const payments = (env: Env): PaymentsConfig => {
  const pspUrl = env.PSP_URL || null;
  if (pspUrl && !/^https?:\/\//.test(pspUrl)) throw new ConfigError('PSP_URL', `expected http(s)://…, got "${pspUrl}"`);
  const confirmAfterMs = intSetting(env, 'PAYMENT_CONFIRM_MS', 60_000, 100, 86_400_000);
  const abandonAfterMs = intSetting(env, 'PAYMENT_ABANDON_MS', 1_800_000, 200, 30 * 86_400_000);
  if (abandonAfterMs <= confirmAfterMs) throw new ConfigError('PAYMENT_ABANDON_MS', 'must be longer than PAYMENT_CONFIRM_MS');
  // A real provider with the sandbox's published secrets would let anyone sign a capture.
  if (pspUrl)
    for (const name of ['PSP_API_KEY', 'PSP_WEBHOOK_SECRET']) if (!env[name]) throw new ConfigError(name, 'required when PSP_URL is set');
  return {
    pspUrl: pspUrl?.replace(/\/+$/, '') ?? null,
    pspApiKey: env.PSP_API_KEY || 'sk_sandbox_local',
    webhookSecret: env.PSP_WEBHOOK_SECRET || 'whsec_sandbox_local',
    sandboxPort: intSetting(env, 'PSP_PORT', 3002, 0, 65535),
    pspTimeoutMs: intSetting(env, 'PSP_TIMEOUT_MS', 5000, 50, 120_000),
    answerBudgetMs: intSetting(env, 'RENEWAL_ANSWER_MS', 3000, 0, 60_000),
    confirmAfterMs,
    abandonAfterMs,
    runProcessManager: env.LEDGER_PROCESS_MANAGER !== 'off',
  };
};

/** The one configuration schema; a bad value stops the process with the variable's name. */
export const loadConfig = (env: Env = process.env): LedgerConfig => {
  const store = eventStore(env);
  const databaseUrl = env.DATABASE_URL || (store.kind === 'postgres' ? store.url : null);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', `expected postgres://…, got "${databaseUrl}"`);
  }
  if (store.kind === 'esdb' && !databaseUrl) {
    throw new ConfigError('DATABASE_URL', 'required with an EventStoreDB event store (the read models live in PostgreSQL)');
  }
  const brokers = env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return {
    port: intSetting(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.LEDGER_DATA_DIR || './data'),
    eventStore: store,
    databaseUrl,
    kafkaBrokers: brokers && brokers.length ? brokers : null,
    holidays: holidays(env),
    queryWaitMs: intSetting(env, 'QUERY_WAIT_MS', 5000, 0, 60_000),
    projectionBatchSize: intSetting(env, 'PROJECTION_BATCH_SIZE', 500, 1, 100_000),
    runProjector: env.LEDGER_PROJECTOR !== 'off',
    http: httpLimits(env),
    stateCacheStreams: intSetting(env, 'LEDGER_STATE_CACHE_STREAMS', 5000, 0, 10_000_000),
    snapshotEvery: intSetting(env, 'LEDGER_SNAPSHOT_EVERY', 32, 1, 1_000_000),
    payments: payments(env),
    cardWatch: { run: env.LEDGER_CARD_WATCH !== 'off', sweepMs: intSetting(env, 'CARD_WATCH_SWEEP_MS', 60_000, 50, 86_400_000) },
  };
};

export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
