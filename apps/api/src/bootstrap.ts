import 'reflect-metadata';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LedgerConfig } from '@ledger/config';
import { PaymentProvider } from '@ledger/payments';
import { DEFAULT_PROMOTIONS, PromotionRules } from '@ledger/domain';
import { adoptStranded, configuredProvider, paymentProcesses } from './renewals/payment-processes';
import {
  LedgerStorage,
  ProjectionPosition,
  ProjectionRunner,
  openLedgerStorage,
  startLedgerProjector,
  storageConfig,
} from '@ledger/read-models';
import { AppModule } from './app.module';
import { applyContract } from './openapi/contract';
import { PROJECTION_POSITION } from './infrastructure/tokens';
import { join } from 'node:path';
import helmet from '@fastify/helmet';
import { LedgerSecrets, SandboxSms, loadSecrets, openIdentity } from '@ledger/identity';
import { moveLegacyContacts } from './accounts/legacy-contacts';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { ledgerValidationPipe } from './http/validation';
import { clientErrorHandler } from './http/client-errors';
import { registerJsonBody } from './http/json-body';
import { serveConsole } from './http/console';
import { startCardWatch } from './card-watch/start-card-watch';
import { autoRenewer } from './auto-renew/auto-renewer';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { RouteTable } from './http/route-table';
import { listenForProjections } from './http/projection-listener';
import { measureCommands } from './observability/command-metrics';
import { measureHttp } from './observability/http-metrics';
import { Logger as PinoRoot, createLogger, scrapedGauge } from '@ledger/observability';
import { LoggerModule } from 'nestjs-pino';
import { correlationIdOf } from './http/request-context';
import { nestLogger, requestLogging } from './http/request-logging';

export interface LedgerApp {
  readonly app: NestFastifyApplication;
  readonly storage: LedgerStorage;
  readonly projector: ProjectionRunner | null;
  close(): Promise<void>;
}

export interface CreateLedgerAppOptions {
  readonly storage?: LedgerStorage;
  /** The payment provider; by default a client of PSP_URL. */
  readonly paymentProvider?: PaymentProvider;
  /** The process's pino logger (by default a new one named api); false: no logs, not even per request. */
  readonly logger?: PinoRoot | false;
  /** Tests hand in fixed keys instead of the data directory's secrets file. */
  readonly secrets?: LedgerSecrets;
}

/** The secrets from the environment, else the data directory's file (created on first start). */
const resolveSecrets = (config: LedgerConfig): LedgerSecrets => {
  const { secrets, generated } = loadSecrets(process.env, join(config.dataDir, 'secrets.json'));
  if (generated)
    new Logger('Identity').warn(
      `generated new keys in ${join(config.dataDir, 'secrets.json')}; back it up with the data, or set LEDGER_JWT_SECRET, LEDGER_DATA_KEY and LEDGER_FINGERPRINT_KEY`,
    );
  return secrets;
};

@Module({})
class LoggedModule {}

/** The ledger's modules behind pino-http, so every line of a request carries its correlation id. */
const withRequestLogging = (modules: DynamicModule, root: PinoRoot): DynamicModule => ({
  module: LoggedModule,
  imports: [LoggerModule.forRoot(requestLogging(root)), modules],
});

/** The API (and, unless turned off, the projector in the same process), ready to listen. */
export const createLedgerApp = async (config: LedgerConfig, options: CreateLedgerAppOptions = {}): Promise<LedgerApp> => {
  const root = options.logger === false ? null : (options.logger ?? createLogger('api'));
  // Nest's Logger on pino from the first line, before the application exists.
  const bridge = root ? nestLogger(root) : null;
  if (bridge) Logger.overrideLogger(bridge);
  const storage =
    options.storage ??
    (await openLedgerStorage(storageConfig(config), { maxStreams: config.stateCacheStreams, snapshotEvery: config.snapshotEvery }));
  const limits = config.http;
  const adapter = new FastifyAdapter({
    bodyLimit: limits.maxBodyBytes,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks its request and header timeouts every connectionsCheckingInterval (30 s by default).
    http: { maxHeaderSize: limits.maxHeaderBytes, headersTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1000 },
    clientErrorHandler,
    genReqId: correlationIdOf,
  });
  const fastify = adapter.getInstance();
  registerJsonBody(fastify, limits.maxJsonDepth);
  const routes = new RouteTable();
  routes.attach(fastify);
  measureHttp(fastify);
  const sandboxSms = new SandboxSms();
  const identity = openIdentity(storage.dataSource, options.secrets ?? resolveSecrets(config), sandboxSms);
  await moveLegacyContacts(storage.dataSource, identity.vault);
  const rules: PromotionRules = { ...DEFAULT_PROMOTIONS, holidays: config.holidays };
  const paymentProvider = options.paymentProvider ?? configuredProvider(config);
  const processLog = new Logger('Payments');
  const processes = paymentProcesses(config, storage, paymentProvider, rules, identity, {
    warn: (m) => processLog.warn(m),
    error: (m) => processLog.error(m),
  });
  const modules = AppModule.forRoot({ config, storage, identity, sandboxSms, paymentProvider, processes: processes.runner, rules });
  const app = await NestFactory.create<NestFastifyApplication>(
    root ? withRequestLogging(modules, root) : modules,
    adapter,
    // Our JSON parser (bounded depth) is the only one: no form bodies, no second JSON parser.
    { logger: bridge ?? false, bodyParser: false },
  );
  await app.register(helmet, { global: true });
  if (limits.corsOrigins.length) app.enableCors({ origin: [...limits.corsOrigins], exposedHeaders: ['Retry-After', 'Location'] });
  app.useGlobalPipes(ledgerValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter(routes));
  const doc = new DocumentBuilder()
    .setTitle('Subscription ledger')
    .setDescription('Renew prepaid eSIM data cards; every change is an immutable event.')
    .setVersion('0.1.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'an access token from POST /v1/auth/login, /v1/auth/staff/login or /v1/auth/token',
      },
      'bearer',
    )
    .build();
  SwaggerModule.setup('docs', app, () => applyContract(SwaggerModule.createDocument(app, doc)));
  serveConsole(app);
  await app.init();
  measureCommands(app.get(CommandBus));
  scrapedGauge(
    'ledger_reconciliation_breaks',
    'Breaks in the latest stored reconciliation run (the last day reconciled); 0 before the first run',
    async () => {
      const rows: { breaks: number }[] = await storage.dataSource.query('SELECT breaks FROM reconciliation_run ORDER BY seq DESC LIMIT 1');
      return rows.length ? Number(rows[0].breaks) : 0;
    },
  );
  const logger = new Logger('Projector');
  const projector = config.runProjector
    ? await startLedgerProjector(
        storage,
        config.projectionBatchSize,
        { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
        (p) => app.get<ProjectionPosition>(PROJECTION_POSITION).projected(p),
      )
    : null;
  // The process manager resumes every renewal a crash left open (its checkpoint is before the oldest).
  if (config.payments.runProcessManager) {
    await processes.checkpoints.migrate();
    await processes.runner.start();
    // Renewals an earlier version left pending get a process too, in the background.
    void adoptStranded(storage, processes.runner, config).then(
      (n) => n > 0 && processLog.log(`adopted ${n} renewal(s) left pending by an earlier version`),
      (err) => processLog.error(`adopting pending renewals failed: ${(err as Error).message}`),
    );
  }
  const watchLog = new Logger('CardWatch');
  const onReminder = autoRenewer({
    states: storage.states,
    commands: app.get(CommandBus),
    queries: app.get(QueryBus),
    identity,
    log: (m) => watchLog.warn(m),
  });
  const cardWatch = config.cardWatch.run
    ? await startCardWatch(
        config,
        storage,
        processes.checkpoints,
        { warn: (m) => watchLog.warn(m), error: (m) => watchLog.error(m) },
        onReminder,
      )
    : null;
  const listener =
    !projector && config.databaseUrl
      ? await listenForProjections(config.databaseUrl, app.get<ProjectionPosition>(PROJECTION_POSITION))
      : null;
  return {
    app,
    storage,
    projector,
    close: async () => {
      app.get<ProjectionPosition>(PROJECTION_POSITION).close();
      await processes.runner.stop();
      await cardWatch?.stop();
      await projector?.stop();
      await listener?.close();
      // Idle keep-alive sockets close at once; a request still open after a grace period (a client
      // gone mid-body) must not hold the shutdown until its timeout.
      const server = app.getHttpServer() as import('node:http').Server;
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      await app.close();
      clearTimeout(force);
      if (!options.storage) await storage.close();
    },
  };
};
