import { DataSource } from 'typeorm';
import { SqlPool } from '@ledger/event-store';
import { CardBalanceEntity } from '../card-balance/card-balance.entity';
import { RenewalEntity } from '../renewal/renewal.entity';
import { CheckpointEntity } from '../checkpoint/checkpoint.entity';
import { AccountContactEntity } from '../account-contact/account-contact.entity';
import { InitialReadModels1764000000000 } from '../migrations/1764000000000-initial-read-models';
import { ProjectionStatus1765000000000 } from '../migrations/1765000000000-projection-status';
import { ProjectionQuarantine1766000000000 } from '../migrations/1766000000000-projection-quarantine';
import { Identity1767000000000 } from '../migrations/1767000000000-identity';
import { PaymentLifecycle1768000000000 } from '../migrations/1768000000000-payment-lifecycle';
import { Payments1769000000000 } from '../migrations/1769000000000-payments';
import { ReconciliationRuns1770000000000 } from '../migrations/1770000000000-reconciliation-runs';
import { SettlementMatches1771000000000 } from '../migrations/1771000000000-settlement-matches';
import { CardWatch1772000000000 } from '../migrations/1772000000000-card-watch';
import { AuditEvents1773000000000 } from '../migrations/1773000000000-audit-events';
import { PaymentEntity } from '../payment/payment.entity';
import { ProjectionStatusEntity } from '../status/projection-status.entity';

export const READ_MODEL_ENTITIES = [
  CardBalanceEntity,
  RenewalEntity,
  PaymentEntity,
  CheckpointEntity,
  ProjectionStatusEntity,
  AccountContactEntity,
];
export const READ_MODEL_MIGRATIONS = [
  InitialReadModels1764000000000,
  ProjectionStatus1765000000000,
  ProjectionQuarantine1766000000000,
  Identity1767000000000,
  PaymentLifecycle1768000000000,
  Payments1769000000000,
  ReconciliationRuns1770000000000,
  SettlementMatches1771000000000,
  CardWatch1772000000000,
  AuditEvents1773000000000,
];

export type ReadModelDatabase =
  { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'shared-pool'; readonly pool: SqlPool };

/**
 * TypeORM on a PostgreSQL server, or on the process's one PGlite: TypeORM builds its pool with
 * `new driver.Pool()`, and handing it the shared pool keeps every statement on one queue.
 */
export const createReadModelDataSource = (db: ReadModelDatabase): DataSource =>
  new DataSource({
    type: 'postgres',
    ...(db.kind === 'postgres'
      ? { url: db.url, extra: { max: 10 } }
      : {
          driver: {
            Pool: function SharedPool() {
              return db.pool;
            },
          },
        }),
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
    migrationsTableName: 'read_model_migrations',
    migrationsRun: true,
    synchronize: false,
    logging: ['error'],
  });
