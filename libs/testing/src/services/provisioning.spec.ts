import { provisionEventStoreDb } from './event-store-db.service';
import { provisionKafka } from './kafka.service';
import { provisionPostgres } from './postgres.service';
import { dockerMayBePresent } from './provisioning';

const VARS = ['DATABASE_URL', 'KAFKA_BROKERS', 'EVENT_STORE_URL', 'LEDGER_REQUIRE_SERVICES'] as const;

describe('service provisioning', () => {
  const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    VARS.forEach((v) => delete process.env[v]);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    stderr.mockRestore();
    VARS.forEach((v) => (saved[v] === undefined ? delete process.env[v] : (process.env[v] = saved[v])));
  });

  it('uses the URL the environment gives, and stopping it stops nothing', async () => {
    process.env.DATABASE_URL = 'postgres://ci@db.internal:5432/ledger';
    process.env.KAFKA_BROKERS = 'broker-1:9092,broker-2:9092';
    process.env.EVENT_STORE_URL = 'kurrentdb://esdb.internal:2113?tls=false';
    const services = await Promise.all([provisionPostgres(), provisionKafka(), provisionEventStoreDb()]);
    expect(services.map((s) => s?.url)).toEqual([process.env.DATABASE_URL, process.env.KAFKA_BROKERS, process.env.EVENT_STORE_URL]);
    await Promise.all(services.map((s) => s?.stop()));
    expect(stderr).not.toHaveBeenCalled();
  });

  it('does not take a PostgreSQL EVENT_STORE_URL for an EventStoreDB', () => {
    process.env.EVENT_STORE_URL = 'postgres://ci@db.internal:5432/ledger';
    expect(provisionEventStoreDb.fromEnv()).toBeUndefined();
    process.env.EVENT_STORE_URL = 'esdb://esdb.internal:2113?tls=false';
    expect(provisionEventStoreDb.fromEnv()).toBe(process.env.EVENT_STORE_URL);
  });

  const withoutDocker = dockerMayBePresent() ? it.skip : it;

  withoutDocker('answers null and prints one SKIP line naming the service and the remedy', async () => {
    await expect(provisionKafka()).resolves.toBeNull();
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0][0]).trim()).toBe(
      '[ledger] SKIP Kafka: no KAFKA_BROKERS and no Docker engine; run infra/kafka/start.sh or set KAFKA_BROKERS',
    );
  });

  withoutDocker('throws instead under LEDGER_REQUIRE_SERVICES=1', async () => {
    process.env.LEDGER_REQUIRE_SERVICES = '1';
    await expect(provisionPostgres()).rejects.toThrow(/LEDGER_REQUIRE_SERVICES=1 but PostgreSQL: no DATABASE_URL/);
    expect(stderr).not.toHaveBeenCalled();
  });
});
