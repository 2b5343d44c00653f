import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { bearer, fetchSender, signUp } from './sign-up';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

const root = join(__dirname, '..', '..');

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The built app as `npm start` runs it: a real process, a real socket, PGlite files on disk. */
const startLedger = async (dataDir: string, port: number): Promise<ChildProcess> => {
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: root,
    env: { PATH: process.env.PATH, LEDGER_DATA_DIR: dataDir, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ledger exited early:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`ledger did not answer /health within 30s:\n${output}`);
};

const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

let token = '';
const call = async (port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetchSender(`http://127.0.0.1:${port}`)(method, path, body, { ...bearer(token), ...headers });

/** The staff CLI as an admin runs it; on the embedded store only while the API is stopped. */
const staffCli = (dataDir: string, ...args: string[]): any => {
  const r = spawnSync(process.execPath, ['dist/apps/staff/src/main.js', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, LEDGER_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`staff ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

describe('restarting the ledger process on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps events, balances, renewals and the projection checkpoint', async () => {
    const port = await freePort();
    let ledger = await startLedger(dataDir, port);
    const owner = await signUp(fetchSender(`http://127.0.0.1:${port}`), '+33612345678');
    token = owner.accessToken;
    const card = await call(port, 'POST', '/v1/subscriptions', {
      accountId: owner.accountId,
      iccid: '89330000000000000012',
      region: 'EU',
    });
    const id = card.body.subscriptionId;
    const renewal = await call(
      port,
      'POST',
      `/v1/subscriptions/${id}/renewals`,
      { planId: 'eu-annual-100gb', paymentMethod: { type: 'apple_pay', token: 'tok_ap' } },
      { 'Idempotency-Key': 'restart-1' },
    );
    const before = await call(port, 'GET', `/v1/subscriptions/${id}?minPosition=${renewal.body.position}`);
    const eventsBefore = await call(port, 'GET', `/v1/subscriptions/${id}/events`);
    await stop(ledger);
    const feed = staffCli(dataDir, 'client', 'create', 'usage-feed', '--scope', 'usage:record');

    ledger = await startLedger(dataDir, port);
    try {
      const after = await call(port, 'GET', `/v1/subscriptions/${id}`);
      const eventsAfter = await call(port, 'GET', `/v1/subscriptions/${id}/events`);
      expect(renewal.body.status).toBe('completed');
      expect(after.body).toEqual(before.body);
      expect(eventsAfter.body).toEqual(eventsBefore.body);
      const retried = await call(
        port,
        'POST',
        `/v1/subscriptions/${id}/renewals`,
        { planId: 'eu-annual-100gb', paymentMethod: { type: 'apple_pay', token: 'tok_ap' } },
        { 'Idempotency-Key': 'restart-1' },
      );
      expect(retried.body).toEqual(renewal.body);
      const client = await call(port, 'POST', '/v1/auth/token', {
        grant_type: 'client_credentials',
        client_id: feed.clientId,
        client_secret: feed.clientSecret,
      });
      const usage = await call(
        port,
        'POST',
        `/v1/subscriptions/${id}/usage`,
        { usageId: 'after-restart', mb: 1000 },
        bearer(client.body.accessToken),
      );
      const view = await call(port, 'GET', `/v1/subscriptions/${id}?minPosition=${usage.body.position}`);
      expect(view.body.dataRemainingMb).toBe(before.body.dataRemainingMb - 1000);
    } finally {
      await stop(ledger);
    }
  });
});
