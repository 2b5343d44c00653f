import { createServer } from 'node:net';
import { ServiceProvisioner, defineProvisioner } from './provisioning';
import { loadTestcontainers } from './testcontainers';

export const KAFKA_IMAGE = 'apache/kafka:4.1.0';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/**
 * A single KRaft broker: KAFKA_BROKERS, else an apache/kafka container, else null.
 * A broker advertises the address clients must use, which a container only knows once the host port
 * is fixed, so the host port is chosen first and the broker listens on that same number inside.
 */
export const provisionKafka: ServiceProvisioner = defineProvisioner(
  { service: 'Kafka', envVar: 'KAFKA_BROKERS', hint: 'run infra/kafka/start.sh or set KAFKA_BROKERS' },
  async (runtime) => {
    const { GenericContainer, Wait } = await loadTestcontainers();
    const port = await freePort();
    const host = runtime.info.containerRuntime.host;
    const container = await new GenericContainer(KAFKA_IMAGE)
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withExposedPorts({ container: port, host: port })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(120_000)
      .start();
    return {
      url: `${container.getHost()}:${port}`,
      stop: async () => {
        await container.stop();
      },
    };
  },
);
