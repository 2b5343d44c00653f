import { spawnSync } from 'node:child_process';
import { bearer, fetchSender, signUp } from './sign-up';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, root, startBuiltApi, stopProcess } from './built-api';

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
    let ledger = await startBuiltApi(dataDir, port);
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
    await stopProcess(ledger);
    const feed = staffCli(dataDir, 'client', 'create', 'usage-feed', '--scope', 'usage:record');

    ledger = await startBuiltApi(dataDir, port);
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
      await stopProcess(ledger);
    }
  });
});
