import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, fetchSender, signUp } from './sign-up';

import { freePort, root, startBuiltApi, stopProcess } from './built-api';

const env = (dataDir: string, port: number): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  LEDGER_DATA_DIR: dataDir,
  PORT: String(port),
  // The publisher's storage opens before it talks to Kafka; nothing listens here.
  KAFKA_BROKERS: '127.0.0.1:1',
});

let token = '';
const post = async (port: number, path: string, body: unknown) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

/** Every entry point that opens the PGlite files, as an operator would start it next to the API. */
const ENTRY_POINTS: [string, string[]][] = [
  ['a second API', ['dist/apps/api/src/main.js']],
  ['the projector', ['dist/apps/projector/src/main.js']],
  ['the publisher', ['dist/apps/publisher/src/main.js']],
  ['the replay', ['dist/apps/publisher/src/replay.js', '--topic', 'replay-x', '--from-position', '0']],
  ['the audit', ['dist/apps/audit/src/main.js', 'verify', '--all']],
  ['the projections CLI', ['dist/apps/projector/src/projections-cli.js', 'status']],
  ['the staff CLI', ['dist/apps/staff/src/main.js', 'list']],
];

describe('one process per embedded data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-lock-e2e-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses every second process at once, naming the holder, and loses nothing the holder accepted', async () => {
    const port = await freePort();
    let api = await startBuiltApi(dataDir, port, { KAFKA_BROKERS: '127.0.0.1:1' });
    const cards: { id: string; token: string }[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const owner = await signUp(fetchSender(`http://127.0.0.1:${port}`));
        token = owner.accessToken;
        const card = await post(port, '/v1/subscriptions', { iccid: `894902000001234567${i}`, region: 'EU' });
        expect(card.status).toBe(201);
        cards.push({ id: card.body.subscriptionId, token: owner.accessToken });
      }
      for (const [name, args] of ENTRY_POINTS) {
        const r = spawnSync(process.execPath, args, { cwd: root, env: env(dataDir, port + 1), encoding: 'utf8', timeout: 30_000 });
        // A process that waited for the holder instead of refusing would be killed by the timeout: status null.
        expect({ name, code: r.status }).toEqual({ name, code: 2 });
        expect(`${r.stdout}${r.stderr}`).toContain(`in use by process ${api.pid}`);
      }
    } finally {
      await stopProcess(api);
    }
    api = await startBuiltApi(dataDir, port, { KAFKA_BROKERS: '127.0.0.1:1' });
    try {
      // The owners' tokens outlive the restart: the signing key is in the data directory's secrets file.
      for (const { id, token: owners } of cards) {
        const res = await fetch(`http://127.0.0.1:${port}/v1/subscriptions/${id}/events`, { headers: bearer(owners) });
        expect(res.status).toBe(200);
        const events = (await res.json()) as { events: { type: string }[] };
        expect(events.events.map((e) => e.type)).toEqual(['SubscriptionOpened']);
      }
    } finally {
      await stopProcess(api, 'SIGKILL');
    }
  });
});
