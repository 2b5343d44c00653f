import { DataDirectoryInUseError } from '@ledger/event-store';
import { processLogger, startProcessMetrics } from '@ledger/observability';
import { startPspSandbox } from './psp-sandbox';

const USAGE = `A sandbox payment provider (cards with 3-D Secure, PayPal, Apple Pay) as its own HTTP service.

Usage: npm run psp-sandbox [-- --help]
       node dist/apps/psp-sandbox/src/main.js [--help]

Merchant API under /v1, payer pages under /pay, test controls under /sandbox; /metrics,
/health/live and /health/ready like every ledger process. State is an
append-only journal replayed at start; signed webhooks are retried until acknowledged, some
duplicated and reordered on purpose. npm start runs one inside the API unless PSP_URL is set;
run this one instead and point the API at it with PSP_URL=http://127.0.0.1:3002 (and the same
PSP_API_KEY and PSP_WEBHOOK_SECRET).

Options:
  -h, --help                  print this help and exit

Environment:
  PSP_PORT                    port to listen on (default 3002; 0 = any free port)
  PSP_HOST                    address to listen on (default 127.0.0.1)
  PSP_DATA_DIR                journal directory (default ./data/psp-sandbox)
  PSP_API_KEY                 bearer key required on /v1 and /sandbox (default sk_sandbox_local)
  PSP_WEBHOOK_URL             where events are POSTed (default http://127.0.0.1:3000/v1/webhooks/psp)
  PSP_WEBHOOK_SECRET          HMAC secret of the Psp-Signature header (default whsec_sandbox_local)
  PSP_LATENCY_MS              delay before every API answer, ms (default 0)
  PSP_WEBHOOK_DUPLICATE_RATE  probability 0..1 that an event is delivered twice (default 0.1)
  PSP_WEBHOOK_REORDER_MS      random delay 0..N ms before each delivery (default 200)
  LOG_LEVEL                   fatal, error, warn, info, debug or trace (default info)
  LOG_FORMAT                  json (one object per line) or pretty (default: pretty on a terminal, else json)

Exit codes:
  0  stopped by SIGINT or SIGTERM
  1  a bad setting (named), or any other failure
  2  the journal directory is held by another process (named)

Examples:
  npm run psp-sandbox
  PSP_PORT=3102 PSP_DATA_DIR=/tmp/psp npm run psp-sandbox
`;

const env = (name: string, fallback: string): string => {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
};

const number = (name: string, fallback: number, valid: (n: number) => boolean): number => {
  const raw = env(name, String(fallback));
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) throw new Error(`${name}=${raw} is not valid; see --help`);
  return value;
};

const main = async (): Promise<void> => {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const log = processLogger('psp-sandbox');
  const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;
  startProcessMetrics('psp-sandbox');
  const sandbox = await startPspSandbox({
    port: number('PSP_PORT', 3002, (n) => isCount(n) && n <= 65535),
    host: env('PSP_HOST', '127.0.0.1'),
    dataDir: env('PSP_DATA_DIR', './data/psp-sandbox'),
    apiKey: env('PSP_API_KEY', 'sk_sandbox_local'),
    webhookUrl: env('PSP_WEBHOOK_URL', 'http://127.0.0.1:3000/v1/webhooks/psp'),
    webhookSecret: env('PSP_WEBHOOK_SECRET', 'whsec_sandbox_local'),
    latencyMs: number('PSP_LATENCY_MS', 0, isCount),
    webhookDuplicateRate: number('PSP_WEBHOOK_DUPLICATE_RATE', 0.1, (n) => n >= 0 && n <= 1),
    webhookReorderMs: number('PSP_WEBHOOK_REORDER_MS', 200, isCount),
    operatorsEndpoints: true,
    log,
  });
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    sandbox.close().then(
      () => process.exit(0),
      (err) => (log.error(String(err)), process.exit(1)),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
};

main().catch((err) => {
  const log = processLogger('psp-sandbox');
  // Another sandbox holds the journal: say who, and exit 2 as the ledger does for its own directory.
  if (err instanceof DataDirectoryInUseError) {
    const who = err.holder ? `process ${err.holder.pid} (${err.holder.command})` : 'another process';
    log.fatal(`the sandbox journal directory ${err.dir} is in use by ${who}: stop it first, or set another PSP_DATA_DIR`);
    process.exit(2);
  }
  log.fatal((err as Error).message);
  process.exit(1);
});
