import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describeWithService, provisionKafka, provisionPostgres } from '@ledger/testing';
import { cardHistories } from '../../libs/messaging/src/testing/card-history';
import {
  LedgerDatabase,
  appendInterleaved,
  checkpointOf,
  createTopics,
  kafkaFor,
  openLedgerDatabase,
  uniqueTopic,
  waitUntil,
} from './kafka-kit';
import { SampleConsumer } from './sample-consumer';

const ROOT = join(__dirname, '..', '..');

/** The real entry point in its own process, as deployed: env in, JSON log lines out. */
const spawnPublisher = (env: Record<string, string>): { child: ChildProcess; output: string[]; started: Promise<void> } => {
  const child = spawn(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings', '-r', '@swc-node/register', 'apps/publisher/src/main.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const started = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString());
      if (chunk.toString().includes('publisher started')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('exit', (code, signal) => reject(new Error(`publisher exited (${code ?? signal}) before starting: ${output.join('')}`)));
  });
  started.catch(() => undefined);
  return { child, output, started };
};

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describeWithService('publisher process on Kafka', provisionKafka, (brokers) => {
  describeWithService('with the PostgreSQL event store', provisionPostgres, (pgUrl) => {
    let db: LedgerDatabase;
    const children: ChildProcess[] = [];
    beforeAll(async () => {
      db = await openLedgerDatabase(pgUrl());
    });
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await db?.close();
    });

    it('loses nothing and keeps per-card order when killed with SIGKILL mid-stream and restarted', async () => {
      const topic = uniqueTopic('crash');
      const name = `crash:${topic}`;
      const env = {
        EVENT_STORE_URL: db.url,
        DATABASE_URL: db.url,
        KAFKA_BROKERS: brokers(),
        KAFKA_TOPIC: topic,
        KAFKA_TOPIC_PARTITIONS: '3',
        PUBLISHER_NAME: name,
        PUBLISHER_BATCH_SIZE: '50',
        PUBLISHER_PORT: '0',
      };
      await createTopics(brokers(), topic, `${topic}.dlq`);
      const consumer = await SampleConsumer.start(kafkaFor(brokers()), topic);
      const cards = cardHistories('crash', 4_000);
      // The writer keeps appending while the first publisher runs and dies, so it dies mid-stream.
      const writing = appendInterleaved(db, cards, 10, 5);
      try {
        const first = spawnPublisher(env);
        children.push(first.child);
        await first.started;
        await waitUntil(async () => (await checkpointOf(db, name)) >= 500n, 'the first publisher acknowledged some batches', 60_000);
        first.child.kill('SIGKILL');
        await exited(first.child);
        const atKill = await checkpointOf(db, name);

        const second = spawnPublisher(env);
        children.push(second.child);
        await second.started;
        const last = await writing;
        expect(atKill < last).toBe(true);
        await waitUntil(async () => (await checkpointOf(db, name)) === last, 'the second publisher caught up', 120_000);
        const all = [...cards.values()].flat().map((e) => e.id);
        await waitUntil(() => consumer.events.length >= all.length, 'every event reached the consumer', 60_000);

        expect(new Set(consumer.ids())).toEqual(new Set(all));
        expect(consumer.events).toHaveLength(all.length);
        expect(consumer.orderViolations).toEqual([]);
        expect(consumer.duplicates.filter((d) => !d.identical)).toEqual([]);
        second.child.kill('SIGTERM');
        expect(await exited(second.child)).toBe(0);
      } finally {
        await writing.catch(() => undefined);
        await consumer.stop();
      }
    }, 240_000);
  });
});
