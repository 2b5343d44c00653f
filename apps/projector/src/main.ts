import { tracing } from './instrument';
import 'reflect-metadata';
import { ConfigError, intSetting, loadConfig } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import { processLogger, startOpsServer, startProcessMetrics, storesAnswer } from '@ledger/observability';
import { LedgerStorage, ProjectionRunner, openLedgerStorage, startLedgerProjector, storageConfig } from '@ledger/read-models';

const HELP = `The projector as its own process: applies the log to the read models from their checkpoints.

Usage: npm run start:projector [-- --help]
       node dist/apps/projector/src/main.js [--help]

Run the API beside it with LEDGER_PROJECTOR=off. On the embedded PGlite store only one process may
open the data directory, so run both on PostgreSQL (DATABASE_URL, and EVENT_STORE_URL for EventStoreDB).

Options:
  -h, --help            print this help and exit

Environment: the API's (npm start -- --help) for the stores and PROJECTION_BATCH_SIZE, and:
  PROJECTOR_PORT        its operators' port: /metrics, /health/live, /health/ready (default 3003, 0 = any free port)
  HOST                  bind address (default 127.0.0.1)
  LOG_LEVEL             fatal, error, warn, info, debug or trace (default info)
  LOG_FORMAT            json (one object per line) or pretty (default: pretty on a terminal, else json)

Exit codes:
  0  stopped by SIGINT or SIGTERM
  1  any other failure (logged with its stack)
  2  a bad setting (the message names the variable) or a data directory held by another process

Examples:
  DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/ledger npm run start:projector
`;

/** The projector as its own process, for deployments that scale it apart from the API. */
const main = async (): Promise<void> => {
  const logger = processLogger('projector');
  const config = loadConfig();
  startProcessMetrics('projector');
  let storage: LedgerStorage | null = null;
  let runner: ProjectionRunner | null = null;
  // Listening before the stores open: while it migrates it is live and says it is not ready.
  const ops = await startOpsServer({
    port: intSetting(process.env, 'PROJECTOR_PORT', 3003, 0, 65535),
    host: config.host,
    ready: () => ({
      startup: async () => (runner ? { up: true } : { up: false, message: 'opening and migrating the stores' }),
      ...(storage ? storesAnswer(storage) : {}),
      projections: async () => {
        const failed = [...(runner?.failures().keys() ?? [])];
        return { up: failed.length === 0, ...(failed.length ? { failed } : {}) };
      },
    }),
  });
  storage = await openLedgerStorage(storageConfig(config));
  runner = await startLedgerProjector(storage, config.projectionBatchSize, {
    log: (m) => logger.info(m),
    warn: (m) => logger.warn(m),
    error: (m) => logger.error(m),
  });
  logger.info(`projecting; metrics and probes on http://${config.host}:${ops.port}/metrics, /health/live, /health/ready`);
  const stop = async (): Promise<void> => {
    await runner?.stop();
    await ops.close();
    await storage?.close();
    await tracing.shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

if (process.argv.includes('--help') || process.argv.includes('-h')) process.stdout.write(HELP);
else
  main().catch((err) => {
    const known = err instanceof ConfigError || err instanceof DataDirectoryInUseError;
    processLogger('projector').fatal(known ? err.message : (err as Error).stack);
    process.exit(known ? 2 : 1);
  });
