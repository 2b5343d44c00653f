import { tracing } from './instrument';
import { Logger } from '@nestjs/common';
import { ConfigError, intSetting, loadConfig } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import { join } from 'node:path';
import { PspClient } from '@ledger/payments';
import { createLedgerApp } from './bootstrap';
import { nestLogger } from './http/request-logging';
import { processLogger, startOpsServer, startProcessMetrics, storesAnswer } from '@ledger/observability';
import { startPspSandbox } from '../../psp-sandbox/src/psp-sandbox';

const HELP = `The ledger's HTTP API, with the projector, the payment processes, the card watch and (unless PSP_URL is set) the sandbox payment provider in the same process.

Usage: npm start [-- --help]
       node dist/apps/api/src/main.js [--help]

Options:
  -h, --help            print this help and exit

Environment:
  PORT                  HTTP port (default 3000); also /health/live, /health/ready
  METRICS_PORT          operators' port: /metrics, /health/live, /health/ready (default 3005, 0 = any)
  HOST                  bind address (default 127.0.0.1)
  LEDGER_DATA_DIR       embedded PGlite data directory (default ./data)
  EVENT_STORE_URL       the event store; unset: DATABASE_URL's PostgreSQL, else the embedded PGlite
                          postgres://user:pass@host:5432/db (or postgresql://…)  a PostgreSQL event store
                          esdb://host:2113?tls=false                              EventStoreDB or KurrentDB;
                          also esdb+discover://, kurrentdb://, kurrentdb+discover://, kurrent://
                          (an EventStoreDB store needs DATABASE_URL for the read models)
  DATABASE_URL          PostgreSQL (postgres://…) for the read models; alone, the event store too
  LEDGER_HOLIDAYS       JSON array [{promotionId, from, to, percentOffBp}] (default [])
  QUERY_WAIT_MS         max wait for ?minPosition= (default 5000)
  PROJECTION_BATCH_SIZE events per projection transaction (default 500)
  LEDGER_PROJECTOR      "off" to run the projector as its own process (npm run start:projector)
  LEDGER_STATE_CACHE_STREAMS  cards whose state stays in memory for commands, 0 = none (default 5000)
  LEDGER_SNAPSHOT_EVERY       events between a card's state snapshots (default 32)
  PSP_URL               the payment provider's API; unset = run the sandbox provider here on PSP_PORT
  PSP_PORT              port of that sandbox provider (default 3002; its data in <LEDGER_DATA_DIR>/psp-sandbox)
  PSP_API_KEY           the provider's API key (default sk_sandbox_local; required with PSP_URL)
  PSP_WEBHOOK_SECRET    secret of the provider's webhook signatures (default whsec_sandbox_local; required with PSP_URL)
  PSP_TIMEOUT_MS        a provider call without an answer by then is retried later (default 5000)
  RENEWAL_ANSWER_MS     how long a renewal request waits before answering pending (default 3000)
  PAYMENT_CONFIRM_MS    an unconfirmed payment is looked up at the provider after this (default 60000)
  PAYMENT_ABANDON_MS    a payment still not final is cancelled and its renewal abandoned (default 1800000)
  LEDGER_PROCESS_MANAGER  "off" to run the payment process manager elsewhere (requests still drive their own)
  LEDGER_CARD_WATCH     "off" to run no card watch here (reminders, on-time forfeiture, auto-renew)
  CARD_WATCH_SWEEP_MS   how often the card watch looks for buckets ending and validity ending (default 60000)
  HTTP_MAX_BODY_BYTES   largest request body (default 65536)
  HTTP_MAX_JSON_DEPTH   deepest JSON nesting accepted (default 32)
  HTTP_MAX_HEADER_BYTES largest request headers (default 16384)
  HTTP_REQUEST_TIMEOUT_MS  whole request, headers and body (default 30000)
  QUERY_MAX_WAITERS     concurrent ?minPosition= waits per process (default 256)
  RATE_LIMIT_PER_MINUTE requests per caller per minute, 0 = off (default 30000)
  CORS_ORIGINS          comma-separated browser origins allowed (default: none)
  AUTH_RATE_LIMIT_PER_MINUTE  credential-route requests per client address (default 60)
  LOG_LEVEL             fatal, error, warn, info, debug or trace (default info)
  LOG_FORMAT            json (one object per line) or pretty (default: pretty on a terminal, else json)
  LEDGER_JWT_SECRET, LEDGER_DATA_KEY, LEDGER_FINGERPRINT_KEY
                        identity keys, base64 of >= 32 random bytes, all three or none
                        (default: generated once into <LEDGER_DATA_DIR>/secrets.json)
  OTEL_EXPORTER_OTLP_ENDPOINT  export traces over OTLP/HTTP there (default: not exported;
                        the other OTEL_* variables as OpenTelemetry documents them)

Exit codes:
  0  stopped by SIGINT or SIGTERM
  1  any other failure (logged with its stack)
  2  a bad setting (the message names the variable) or a data directory held by another process

Examples:
  npm start
  PORT=3100 PSP_PORT=3102 METRICS_PORT=3105 LEDGER_DATA_DIR=/tmp/ledger npm start
  DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/ledger npm start
  EVENT_STORE_URL='esdb://127.0.0.1:2113?tls=false' DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/ledger npm start

Staff and machine clients: npm run staff -- --help. The embedded data directory is locked: a
second process on it exits with code 2, naming the holder.
`;

const main = async (): Promise<void> => {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const log = processLogger('api');
  Logger.overrideLogger(nestLogger(log));
  const config = loadConfig();
  startProcessMetrics('api');
  const p = config.payments;
  // The embedded default pays through the sandbox provider, as its own HTTP service on its own port.
  const sandbox = p.pspUrl
    ? null
    : await startPspSandbox({
        port: p.sandboxPort,
        host: config.host,
        dataDir: join(config.dataDir, 'psp-sandbox'),
        apiKey: p.pspApiKey,
        webhookSecret: p.webhookSecret,
        webhookUrl: `http://${config.host}:${config.port}/v1/webhooks/psp`,
        webhookDuplicateRate: 0.1,
        webhookReorderMs: 200,
        // Its start-up line would repeat ours; its retries and faults are worth seeing.
        log: log.child({ context: 'PspSandbox' }, { level: log.isLevelEnabled('warn') ? 'warn' : log.level }),
      }).catch((err) => {
        if (!(err instanceof DataDirectoryInUseError)) throw err;
        // Another ledger on this data, or a sandbox already running on it (npm run psp-sandbox).
        throw new ConfigError(
          'PSP_URL',
          `the sandbox provider's journal ${err.dir} is in use by process ${err.holder?.pid ?? '?'} (another npm start on this LEDGER_DATA_DIR, or npm run psp-sandbox): stop it, or set PSP_URL to that provider's address`,
        );
      });
  const provider = new PspClient({ baseUrl: p.pspUrl ?? sandbox!.url, apiKey: p.pspApiKey, timeoutMs: p.pspTimeoutMs });
  const ledger = await createLedgerApp(config, { paymentProvider: provider, logger: log });
  await ledger.app.listen(config.port, config.host);
  if (sandbox) new Logger('Ledger').log(`sandbox payment provider on ${sandbox.url} (PayPal approval pages at ${sandbox.url}/pay/…)`);
  const where = config.eventStore.kind === 'embedded' ? `embedded PGlite in ${config.dataDir}` : config.eventStore.kind;
  // Prometheus scrapes a port of its own: the public one answers no business volumes and runs no
  // lag probes for anonymous callers.
  const ops = await startOpsServer({
    port: intSetting(process.env, 'METRICS_PORT', 3005, 0, 65535),
    host: config.host,
    ready: () => storesAnswer(ledger.storage),
  });
  new Logger('Ledger').log(
    `listening on http://${config.host}:${config.port} (event store: ${where}); API docs at /docs; metrics on http://${config.host}:${ops.port}/metrics`,
  );
  const stop = async (): Promise<void> => {
    await ledger.close();
    await ops.close();
    await sandbox?.close();
    await tracing.shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof DataDirectoryInUseError;
  new Logger('Ledger').fatal(known ? err.message : (err as Error).stack);
  process.exit(known ? 2 : 1);
});
