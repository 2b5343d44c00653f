import { DynamicModule, Global, Module } from '@nestjs/common';
import { PromotionRules } from '@ledger/domain';
import { LEDGER_CONFIG, LedgerConfig } from '@ledger/config';
import { PAYMENT_PROVIDER, PaymentProcessRunner, PaymentProvider } from '@ledger/payments';
import { LEDGER_PROJECTION_NAMES, LedgerStorage, ProjectionPosition } from '@ledger/read-models';

import { Identity, SandboxSms } from '@ledger/identity';
import {
  DATA_SOURCE,
  EVENT_STORE,
  STORED_EVENTS,
  STREAM_STATES,
  IDENTITY,
  PAYMENT_PROCESSES,
  PROJECTION_POSITION,
  PROMOTION_RULES,
  SANDBOX_SMS,
} from './tokens';

export interface InfrastructureOptions {
  readonly config: LedgerConfig;
  readonly storage: LedgerStorage;
  readonly identity: Identity;
  /** The SMS provider, today only the sandbox sink (GET /v1/sandbox/sms reads it). */
  readonly sandboxSms: SandboxSms;
  readonly paymentProvider: PaymentProvider;
  readonly processes: PaymentProcessRunner;
  readonly rules: PromotionRules;
}

/** Binds the ports to what was opened at boot; tests hand in their own storage or gateway. */
@Global()
@Module({})
export class LedgerInfrastructureModule {
  static forRoot({ config, storage, identity, sandboxSms, paymentProvider, processes, rules }: InfrastructureOptions): DynamicModule {
    const providers = [
      { provide: LEDGER_CONFIG, useValue: config },
      { provide: EVENT_STORE, useValue: storage.store },
      { provide: STORED_EVENTS, useValue: storage.stored },
      { provide: STREAM_STATES, useValue: storage.states },
      { provide: DATA_SOURCE, useValue: storage.dataSource },
      { provide: PAYMENT_PROVIDER, useValue: paymentProvider },
      { provide: PAYMENT_PROCESSES, useValue: processes },
      { provide: PROMOTION_RULES, useValue: rules },
      { provide: IDENTITY, useValue: identity },
      { provide: SANDBOX_SMS, useValue: sandboxSms },
      {
        provide: PROJECTION_POSITION,
        useValue: new ProjectionPosition(storage.dataSource, LEDGER_PROJECTION_NAMES, config.queryWaitMs, config.http.maxQueryWaiters),
      },
    ];
    return { module: LedgerInfrastructureModule, providers, exports: providers.map((p) => p.provide) };
  }
}
