import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LedgerConfig } from '@ledger/config';
import { PaymentGateway } from '@ledger/payments';
import { LedgerStorage, ProjectionRunner, openLedgerStorage, startLedgerProjector, storageConfig } from '@ledger/read-models';
import { AppModule } from './app.module';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { ledgerValidationPipe } from './http/validation';

export interface LedgerApp {
  readonly app: NestFastifyApplication;
  readonly storage: LedgerStorage;
  readonly projector: ProjectionRunner | null;
  close(): Promise<void>;
}

export interface CreateLedgerAppOptions {
  readonly storage?: LedgerStorage;
  readonly paymentGateway?: PaymentGateway;
  readonly logger?: false;
}

/** The API (and, unless turned off, the projector in the same process), ready to listen. */
export const createLedgerApp = async (config: LedgerConfig, options: CreateLedgerAppOptions = {}): Promise<LedgerApp> => {
  const storage = options.storage ?? (await openLedgerStorage(storageConfig(config)));
  const adapter = new FastifyAdapter({ bodyLimit: 64 * 1024 });
  // Only JSON bodies are accepted; anything else is a 415, not a confusing validation error.
  adapter.getInstance().removeContentTypeParser('text/plain');
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, storage, paymentGateway: options.paymentGateway }),
    adapter,
    { logger: options.logger ?? ['log', 'warn', 'error'] },
  );
  app.useGlobalPipes(ledgerValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  const doc = new DocumentBuilder()
    .setTitle('Subscription ledger')
    .setDescription('Renew prepaid eSIM data cards; every change is an immutable event.')
    .setVersion('0.1.0')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await app.init();
  const logger = new Logger('Projector');
  const projector = config.runProjector
    ? await startLedgerProjector(storage, config.projectionBatchSize, { log: (m) => logger.log(m), error: (m) => logger.error(m) })
    : null;
  return {
    app,
    storage,
    projector,
    close: async () => {
      await projector?.stop();
      await app.close();
      if (!options.storage) await storage.close();
    },
  };
};
