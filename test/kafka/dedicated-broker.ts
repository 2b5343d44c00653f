import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { announceSkip, servicesRequired } from '@ledger/testing';

const run = promisify(execFile);
const SCRIPTS = join(__dirname, '..', '..', 'infra', 'kafka');

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const javaPresent = (): boolean => {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/**
 * A broker of the test's own, started with infra/kafka/start.sh in a private state dir, because
 * stopping the shared one would break every other suite. stop() keeps its data and restart()
 * brings it back on the same port (start.sh --restart), like a broker outage in production.
 */
export class DedicatedBroker {
  private constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly dir: string,
    readonly brokers: string,
  ) {}

  static async start(): Promise<DedicatedBroker> {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-broker-'));
    const env = {
      ...process.env,
      LEDGER_INFRA_DIR: dir,
      KAFKA_PORT: String(await freePort()),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
    };
    const broker = new DedicatedBroker(env, dir, `127.0.0.1:${env.KAFKA_PORT}`);
    try {
      const { stdout } = await run('bash', [join(SCRIPTS, 'start.sh')], { env, timeout: 180_000 });
      if (!stdout.includes(`KAFKA_BROKERS=${broker.brokers}`)) throw new Error(`infra/kafka/start.sh printed no KAFKA_BROKERS: ${stdout}`);
      return broker;
    } catch (err) {
      await broker.dispose();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await run('bash', [join(SCRIPTS, 'stop.sh'), '--keep-data'], { env: this.env, timeout: 60_000 });
  }

  async restart(): Promise<void> {
    await run('bash', [join(SCRIPTS, 'start.sh'), '--restart'], { env: this.env, timeout: 180_000 });
  }

  async dispose(): Promise<void> {
    await run('bash', [join(SCRIPTS, 'stop.sh')], { env: this.env, timeout: 60_000 }).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Like describeWithService: a loud skip without Java, a failure under LEDGER_REQUIRE_SERVICES=1. */
export const describeWithDedicatedBroker = (name: string, body: (broker: () => DedicatedBroker) => void): void => {
  describe(name, () => {
    if (!javaPresent()) {
      const message = `dedicated Kafka suite "${name}": no java on PATH to run infra/kafka/start.sh`;
      if (servicesRequired())
        it('requires java (LEDGER_REQUIRE_SERVICES=1)', () => {
          throw new Error(`[ledger] LEDGER_REQUIRE_SERVICES=1 but ${message}`);
        });
      else {
        announceSkip(message);
        it.skip(message, () => undefined);
      }
      return;
    }
    let broker: DedicatedBroker | null = null;
    beforeAll(async () => {
      broker = await DedicatedBroker.start();
    }, 200_000);
    afterAll(async () => {
      await broker?.dispose();
    }, 90_000);
    body(() => broker!);
  });
};
