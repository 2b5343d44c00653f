import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNote, parseCheckpoint } from '@ledger/event-store';
import { openLedgerStorage } from '@ledger/read-models';
import { describeWithService, provisionKafka, provisionPostgres } from '@ledger/testing';
import { LedgerDatabase, kafkaFor, openLedgerDatabase, uniqueTopic, waitUntil } from '../kafka/kafka-kit';
import { root } from './built-api';
import { Harness, newCard, renewalBody, startHarness } from './ledger-harness';

/** Checkpoints signed as the log grows, into the auditor's directory and onto a Kafka topic; resumed after a restart. */
describeWithService('npm run audit -- checkpoint --follow', provisionKafka, (brokers) => {
  describeWithService('on PostgreSQL', provisionPostgres, (pgUrl) => {
    let db: LedgerDatabase;
    let h: Harness;
    const work = mkdtempSync(join(tmpdir(), 'ledger-follow-'));
    const dir = join(work, 'checkpoints');
    const topic = uniqueTopic('checkpoints');
    beforeAll(async () => {
      db = await openLedgerDatabase(pgUrl());
      h = await startHarness({ storage: await openLedgerStorage({ kind: 'postgres', eventStoreUrl: db.url, readModelUrl: db.url }) });
    });
    afterAll(async () => {
      await h?.close();
      await db?.close();
      rmSync(work, { recursive: true, force: true });
    });

    const env = () => ({
      PATH: process.env.PATH!,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers(),
      LEDGER_DATA_DIR: work,
      LEDGER_CHECKPOINT_TOPIC: topic,
    });
    const follow = (): ChildProcess =>
      spawn(
        process.execPath,
        ['dist/apps/audit/src/main.js', 'checkpoint', '--follow', '--out', dir, '--every', '5', '--interval', '0.5', '--port', '0'],
        {
          cwd: root,
          env: env(),
          stdio: 'ignore',
        },
      );
    const stop = (child: ChildProcess) => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM')));
    const logSize = async () => (await h.ledger.storage.stored.readAll({ limit: 100_000 })).length;
    const latest = () => {
      if (!existsSync(join(dir, 'checkpoint.txt'))) return null;
      return parseCheckpoint(
        openNote(readFileSync(join(dir, 'checkpoint.txt'), 'utf8'), readFileSync(join(dir, 'verifier-key.txt'), 'utf8').trim()),
      );
    };
    const traffic = async (key: string) => {
      const { subscriptionId } = await newCard(h);
      await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': key });
    };

    it('signs as the log grows, publishes each checkpoint, and goes on after a restart', async () => {
      const first = follow();
      await traffic('follow-1');
      await traffic('follow-2');
      const size1 = await logSize();
      await waitUntil(() => (latest()?.size ?? 0) >= size1, 'a checkpoint covering the log', 20_000);
      await stop(first);

      await traffic('follow-3');
      const second = follow();
      const size2 = await logSize();
      await waitUntil(() => (latest()?.size ?? 0) >= size2, 'a checkpoint after the restart', 20_000);
      await stop(second);

      const key = readFileSync(join(dir, 'verifier-key.txt'), 'utf8').trim();
      const verified = spawnSync(process.execPath, ['dist/apps/audit/src/main.js', 'verify', '--checkpoint', dir, '--key', key], {
        cwd: root,
        env: env(),
        encoding: 'utf8',
      });
      expect(verified.stdout).toMatch(/^consistent: /m);
      expect(verified.status).toBe(0);
      // The oldest checkpoint the follower signed, as a file: the log now extends it too.
      const oldest = readdirSync(dir)
        .filter((f) => /^checkpoint-\d+\.txt$/.test(f))
        .sort((a, b) => parseInt(a.slice(11)) - parseInt(b.slice(11)))[0];
      const older = spawnSync(
        process.execPath,
        ['dist/apps/audit/src/main.js', 'verify', '--checkpoint', join(dir, oldest), '--key', key],
        {
          cwd: root,
          env: env(),
          encoding: 'utf8',
        },
      );
      expect(older.stdout).toMatch(
        new RegExp(`^consistent: the log of \\d+ events extends the signed checkpoint of ${parseInt(oldest.slice(11))} `, 'm'),
      );

      // The topic holds every signed checkpoint, each verifying, their sizes growing.
      const consumer = kafkaFor(brokers()).consumer({ groupId: `${topic}-reader` });
      const notes: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void notes.push(String(message.value)) });
      await waitUntil(
        () => notes.length > 0 && parseCheckpoint(openNote(notes.at(-1)!, key)).size >= size2,
        'the checkpoints on the topic',
        20_000,
      );
      await consumer.disconnect();
      const sizes = notes.map((n) => parseCheckpoint(openNote(n, key)).size);
      expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
      expect(sizes.length).toBeGreaterThanOrEqual(2);
    });
  });
});
