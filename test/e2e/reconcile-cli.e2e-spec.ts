import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './built-api';

/** `npm run reconcile` as finance runs it, on an embedded data directory of its own. */
describe('the reconcile CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-reconcile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['dist/apps/finance/src/reconcile.js', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, LEDGER_DATA_DIR: join(dir, 'data') },
      encoding: 'utf8',
    });
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const header = 'payout_id,provider_payment_id,reference,type,method,currency,gross_minor,fee_minor,net_minor,occurred_at\r\n';

  it('names a line the ledger never recorded, exits 1, and reproduces its report byte for byte', () => {
    const settlement = file('day.csv', `${header}po_2026-12-01_EUR,pay_1,stray-1,charge,card,EUR,499,32,467,2026-12-01T10:00:00.000Z\r\n`);
    const args = ['--date', '2026-12-01', '--settlement', settlement, '--as-of', '2026-12-04T00:00:00Z'];
    const text = run(...args);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/^BREAK missing_in_ledger stray-1 \(charge, line 2\)/m);
    const one = run(...args, '--format', 'json');
    const two = run(...args, '--format', 'json');
    expect(JSON.parse(one.stdout).breaks).toHaveLength(1);
    expect(two.stdout).toBe(one.stdout);
    const csv = run(...args, '--format', 'csv');
    expect(csv.stdout.split('\r\n')[0]).toBe('kind,reference,movement,line,detail');
  });

  it('exits 0 when every line matches (an empty day)', () => {
    expect(run('--date', '2026-12-01', '--settlement', file('empty.csv', header)).status).toBe(0);
  });

  it('refuses bad usage and unreadable files with exit 2 and says why', () => {
    const usage = run('--date', '2026-02-30', '--settlement', 'x.csv');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('not a calendar day');
    const missing = run('--date', '2026-12-01', '--settlement', join(dir, 'nope.csv'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const bad = run(
      '--date',
      '2026-12-01',
      '--settlement',
      file('bad.csv', `${header}po,pay_1,r,charge,card,EUR,12.5,0,12,2026-12-01T00:00:00Z\r\n`),
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('line 2, gross_minor');
    const directory = run('--date', '2026-12-01', '--settlement', dir);
    expect(directory.status).toBe(2);
    expect(directory.stderr).toContain('the settlement file cannot be read: EISDIR');
    expect(run('--help').stdout).toContain('Usage: npm run reconcile');
  });
});
