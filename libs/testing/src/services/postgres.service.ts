import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ProvisionedService, ServiceProvisioner, defineProvisioner } from './provisioning';
import { loadTestcontainers } from './testcontainers';

export const POSTGRES_IMAGE = 'postgres:16-alpine';

/** A PostgreSQL server: DATABASE_URL, else a postgres:16-alpine container, else null. */
export const provisionPostgres: ServiceProvisioner = defineProvisioner(
  { service: 'PostgreSQL', envVar: 'DATABASE_URL', hint: 'run infra/postgres/start.sh or set DATABASE_URL' },
  async () => {
    const { GenericContainer, Wait } = await loadTestcontainers();
    const container = await new GenericContainer(POSTGRES_IMAGE)
      .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
      .withExposedPorts(5432)
      .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'])
      // The image's init runs a temporary server first; the second "ready" is the real one.
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .withStartupTimeout(120_000)
      .start();
    return {
      url: `postgres://postgres:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`,
      stop: async () => {
        await container.stop();
      },
    };
  },
);

const withDatabase = (url: string, database: string): string => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

const adminQuery = async (adminUrl: string, sql: string): Promise<void> => {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/**
 * A database of its own on the server `adminUrl` points to, so suites in parallel jest workers
 * never see each other's rows or locks. `drop()` disconnects whoever is left and removes it.
 */
export const createTestDatabase = async (adminUrl: string, prefix = 'ledger_test'): Promise<ProvisionedService> => {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(adminUrl, name),
    stop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
};

/** A fresh, empty database on a provisioned server; stopping it drops the database, then stops the server. */
export const provisionPostgresDatabase: ServiceProvisioner = Object.assign(
  async (): Promise<ProvisionedService | null> => {
    const server = await provisionPostgres();
    if (!server) return null;
    try {
      const database = await createTestDatabase(server.url);
      return {
        url: database.url,
        stop: async () => {
          try {
            await database.stop();
          } finally {
            await server.stop();
          }
        },
      };
    } catch (err) {
      await server.stop();
      throw err;
    }
  },
  {
    service: provisionPostgres.service,
    envVar: provisionPostgres.envVar,
    hint: provisionPostgres.hint,
    fromEnv: provisionPostgres.fromEnv,
  },
);
