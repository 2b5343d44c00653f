import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { describeWithService, provisionPostgresDatabase } from '@ledger/testing';
import { LEDGER_PROJECTION_NAMES, LedgerStorage, openLedgerStorage, rebuildProjections } from '@ledger/read-models';
import { randomCardHistory } from '../../libs/read-models/src/testing/random-card-history';

const root = join(__dirname, '..', '..');

const append = async (storage: LedgerStorage, events: number, seed: number): Promise<bigint> => {
  let last = 0n;
  for (const a of randomCardHistory({ events, activeCards: 120, seed }))
    last = (await storage.store.appendToStream(a.streamId, a.events, a.expectedRevision)).position;
  return last;
};

/** The built projector as deployed on its own: small batches so that it is mid-stream for a while. */
const startProjector = (url: string, output: string[]): ChildProcess => {
  const child = spawn(process.execPath, ['dist/apps/projector/src/main.js'], {
    cwd: root,
    env: { PATH: process.env.PATH, DATABASE_URL: url, PROJECTION_BATCH_SIZE: '20' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  return child;
};

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));

describeWithService('a projector process killed with SIGKILL mid-stream', provisionPostgresDatabase, (url) => {
  let storage: LedgerStorage;
  let client: Client;
  const output: string[] = [];
  const checkpoint = async (): Promise<bigint> => {
    const { rows } = await client.query('SELECT min(position) AS p, count(*) AS n FROM projection_checkpoint WHERE name = ANY($1)', [
      LEDGER_PROJECTION_NAMES,
    ]);
    return Number(rows[0].n) === LEDGER_PROJECTION_NAMES.length ? BigInt(rows[0].p) : 0n;
  };
  const until = async (done: () => Promise<boolean>, what: string): Promise<void> => {
    for (const deadline = Date.now() + 90_000; !(await done()); await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; projector output:\n${output.join('')}`);
    }
  };

  // Opened and closed inside the test: the suite's database is dropped (connections and all) in its own afterAll.
  beforeEach(async () => {
    storage = await openLedgerStorage({ kind: 'postgres', eventStoreUrl: url(), readModelUrl: url() });
    client = new Client({ connectionString: url() });
    await client.connect();
  });
  afterEach(async () => {
    await client.end();
    await storage.close();
  });

  it('resumes after each kill and ends with the read models a clean rebuild produces', async () => {
    let head = await append(storage, 4000, 41);
    for (const [i, share] of [0.2, 0.45, 0.7].entries()) {
      const projector = startProjector(url(), output);
      const target = (head * BigInt(Math.round(share * 100))) / 100n;
      await until(async () => (await checkpoint()) >= target, `the projector passed ${target}`);
      // A random moment after a commit: sometimes inside the next batch's transaction, sometimes between batches.
      await new Promise((r) => setTimeout(r, Math.random() * 15));
      projector.kill('SIGKILL');
      await exited(projector);
      expect(projector.signalCode).toBe('SIGKILL');
      const at = await checkpoint();
      expect(at).toBeLessThan(head);
      // More history arrives while no projector runs.
      head = await append(storage, 300, 50 + i);
    }
    const last = startProjector(url(), output);
    await until(async () => (await checkpoint()) >= head, 'the projector caught up with the log');
    last.kill('SIGTERM');
    await exited(last);
    expect(last.exitCode).toBe(0);

    const report = await rebuildProjections(storage, LEDGER_PROJECTION_NAMES, { batchSize: 2000 });
    expect(report.position).toBe(head.toString());
    for (const c of report.comparisons) {
      expect(c.differences.samples).toEqual([]);
      expect(c.live).toEqual(c.rebuilt);
    }
    expect(report.switched).toBe(true);
    expect(report.comparisons.map((c) => c.live.rows).every((n) => n > 100)).toBe(true);
  });
});
