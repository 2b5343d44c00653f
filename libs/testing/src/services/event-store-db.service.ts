import { ServiceProvisioner, defineProvisioner } from './provisioning';
import { loadTestcontainers } from './testcontainers';

export const KURRENTDB_IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:latest';

/** EVENT_STORE_URL may also name a PostgreSQL event store; only an EventStoreDB/KurrentDB URL counts here. */
const ESDB_URL = /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//;

/** A single insecure KurrentDB node: EVENT_STORE_URL (esdb:// or kurrentdb://), else a container, else null. */
export const provisionEventStoreDb: ServiceProvisioner = defineProvisioner(
  {
    service: 'EventStoreDB',
    envVar: 'EVENT_STORE_URL',
    hint: 'set EVENT_STORE_URL=esdb://host:2113?tls=false (EventStoreDB cannot be installed without Docker here)',
    fromEnv: () => {
      const url = process.env.EVENT_STORE_URL;
      return url && ESDB_URL.test(url) ? url : undefined;
    },
  },
  async () => {
    const { GenericContainer, Wait } = await loadTestcontainers();
    const container = await new GenericContainer(KURRENTDB_IMAGE)
      .withEnvironment({
        KURRENTDB_CLUSTER_SIZE: '1',
        KURRENTDB_INSECURE: 'true',
        KURRENTDB_MEM_DB: 'true',
        KURRENTDB_RUN_PROJECTIONS: 'All',
        KURRENTDB_START_STANDARD_PROJECTIONS: 'true',
        KURRENTDB_ENABLE_ATOM_PUB_OVER_HTTP: 'true',
      })
      .withExposedPorts(2113)
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((code) => code >= 200 && code < 300))
      .withStartupTimeout(120_000)
      .start();
    return {
      // @eventstore/db-client 6 parses only esdb://; KurrentDB speaks the same protocol.
      url: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
      stop: async () => {
        await container.stop();
      },
    };
  },
);
