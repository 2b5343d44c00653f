import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEDGER_PROJECTION_NAMES, LedgerStorage, ProjectionRunner, ledgerProjections, openLedgerStorage } from '@ledger/read-models';
import { randomCardHistory } from '../../libs/read-models/src/testing/random-card-history';

import { freePort, root, startBuiltApi, stopProcess } from './built-api';

/** The built CLI as an operator runs it, on the embedded store only (no DATABASE_URL from the test environment). */
const cli = (dataDir: string, ...args: string[]): { code: number; out: string; err: string } => {
  const r = spawnSync(process.execPath, ['dist/apps/projector/src/projections-cli.js', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, LEDGER_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
};

const withStorage = async <T>(dataDir: string, fn: (s: LedgerStorage) => Promise<T>): Promise<T> => {
  const storage = await openLedgerStorage({ kind: 'embedded', dataDir });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
};

const startApi = async (dataDir: string) => startBuiltApi(dataDir, await freePort());

const sha = (out: string, name: string): string => new RegExp(`^${name}\\s+\\d+\\s+\\d+\\s+([0-9a-f]{64})$`, 'm').exec(out)![1];

describe('the projections CLI on the embedded store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-projections-cli-'));
  let head = 0n;
  beforeAll(async () => {
    head = await withStorage(dataDir, async (s) => {
      let last = 0n;
      for (const a of randomCardHistory({ events: 1500, activeCards: 60, seed: 3 }))
        last = (await s.store.appendToStream(a.streamId, a.events, a.expectedRevision)).position;
      await new ProjectionRunner(s.store, s.dataSource, ledgerProjections(), { batchSize: 100 }).catchUp();
      await s.store.appendToStream(
        'subscription-late',
        [
          {
            id: '00000000-0000-4000-8000-00000000a001',
            type: 'SubscriptionOpened',
            data: { subscriptionId: 'late', accountId: 'a', iccid: '1', region: 'EU', openedAt: '2026-01-01T00:00:00.000Z' },
            metadata: { commandId: 'c', correlationId: 'c', causationId: 'c', actor: 't', idempotencyKey: 'k' },
          },
        ],
        'no_stream',
      );
      return last;
    });
  }, 180_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('status shows each projection stopped, at its checkpoint, one event behind the log', () => {
    const { code, out } = cli(dataDir, 'status');
    expect(code).toBe(0);
    for (const name of LEDGER_PROJECTION_NAMES) expect(out).toMatch(new RegExp(`^${name}\\s+stopped\\s+${head}\\s+1\\b`, 'm'));
  });

  it('rebuild all replays, finds the same rows, switches, and the digests agree with `digest`', () => {
    const rebuilt = cli(dataDir, 'rebuild', 'all', '--batch-size', '500');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out).toMatch(/^card_balance: identical$/m);
    expect(rebuilt.out).toMatch(/^renewal: identical$/m);
    expect(rebuilt.out).toMatch(
      /^switched card_balance, renewal, payment, money_movement, audit_event to the rebuilt tables at position \d+$/m,
    );
    const digest = cli(dataDir, 'digest');
    expect(digest.code).toBe(0);
    expect(rebuilt.out).toContain(`rebuilt  sha256 ${sha(digest.out, 'card_balance')}`);
    expect(rebuilt.out).toContain(`rebuilt  sha256 ${sha(digest.out, 'renewal')}`);
    expect(cli(dataDir, 'status').out).toMatch(/^card_balance\s+stopped\s+\d+\s+0\b/m);
  });

  it('refuses to switch over a tampered row and names it; --force switches', async () => {
    const key = await withStorage(dataDir, async (s) => {
      const [row] = await s.dataSource.query('SELECT subscription_id FROM card_balance ORDER BY subscription_id LIMIT 1');
      await s.dataSource.query('UPDATE card_balance SET plans_bought = plans_bought + 5 WHERE subscription_id = $1', [row.subscription_id]);
      return row.subscription_id as string;
    });
    const refused = cli(dataDir, 'rebuild', 'card_balance');
    expect(refused.code).toBe(3);
    expect(refused.out).toMatch(new RegExp(`^  card_balance ${key}: plans_bought live=\\d+ rebuilt=\\d+$`, 'm'));
    expect(refused.out).toContain('NOT switched');
    expect(cli(dataDir, 'rebuild', 'card_balance', '--force').code).toBe(0);
    expect(cli(dataDir, 'rebuild', 'card_balance').out).toMatch(/^card_balance: identical$/m);
  });

  it('refuses to open the embedded store while the API has it open', async () => {
    const api = await startApi(dataDir);
    try {
      const { code, err } = cli(dataDir, 'status');
      expect(code).toBe(2);
      expect(err).toContain(`in use by process ${api.pid}`);
    } finally {
      await stopProcess(api);
    }
    expect(cli(dataDir, 'status').code).toBe(0);
  });
});
