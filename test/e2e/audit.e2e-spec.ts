import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openLedgerStorage } from '@ledger/read-models';
import { newCard, renewalBody, startHarness } from './ledger-harness';
import { auditCli } from './built-api';

const audit = auditCli;

describe('npm run audit -- verify', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-audit-'));
  let subscriptionId: string;

  beforeAll(async () => {
    const h = await startHarness({ storage: await openLedgerStorage({ kind: 'embedded', dataDir }) });
    ({ subscriptionId } = await newCard(h));
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'audit-e2e' });
    await h.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('verifies every chain of an untouched ledger', () => {
    const all = audit(dataDir, 'verify', '--all');
    expect(all.out).toContain('every hash chain verifies');
    expect(all.code).toBe(0);
    expect(audit(dataDir, 'verify', `subscription-${subscriptionId}`).code).toBe(0);
  });

  it('names the first broken link after one stored event is altered', async () => {
    const db = await PGlite.create(join(dataDir, 'pglite'));
    await db.query(
      `UPDATE es_events SET data = jsonb_set(data, '{dataMbGranted}', '999999') WHERE stream_id = $1 AND type = 'ValidityExtended'`,
      [`subscription-${subscriptionId}`],
    );
    await db.close();
    const result = audit(dataDir, 'verify', '--all');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(new RegExp(`BROKEN subscription-${subscriptionId} at revision 3 `));
  });

  it('explains its usage', () => {
    const help = audit(dataDir, '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('verify --all');
    expect(help.out).toContain('verify --checkpoint FILE|DIR');
  });
});
