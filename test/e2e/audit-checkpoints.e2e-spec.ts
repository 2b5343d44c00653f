import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { linkFor } from '@ledger/event-store';
import { openLedgerStorage } from '@ledger/read-models';
import { newCard, recordUsage, renewalBody, startHarness } from './ledger-harness';
import { auditCli, root } from './built-api';

const audit = auditCli;

/**
 * Signed checkpoints over the whole log: on copies of one ledger's data, each way of removing or
 * rewriting history that the per-stream hash chains miss or only half name is detected against an
 * earlier checkpoint and named; an untouched log that grew verifies.
 */
describe('npm run audit -- checkpoint / verify --checkpoint', () => {
  const work = mkdtempSync(join(tmpdir(), 'ledger-checkpoints-'));
  const dataDir = join(work, 'data');
  const kept = join(work, 'auditor');
  const cards: string[] = [];

  beforeAll(async () => {
    const h = await startHarness({ storage: await openLedgerStorage({ kind: 'embedded', dataDir }), env: { LEDGER_CARD_WATCH: 'off' } });
    for (let i = 0; i < 3; i++) {
      const { subscriptionId } = await newCard(h);
      await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': `cp-${i}` });
      for (let u = 0; u < 3; u++) await recordUsage(h, subscriptionId, `cp-${i}-${u}`, 10);
      cards.push(subscriptionId);
    }
    await h.close();
    const made = audit(dataDir, 'checkpoint', '--out', kept);
    expect(made.code).toBe(0);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A copy of the data, changed by `sql` (run in the copy's own PGlite), verified against the kept checkpoint. */
  const tampered = async (name: string, change: (db: PGlite) => Promise<unknown>) => {
    const copy = join(work, name);
    cpSync(dataDir, copy, { recursive: true, filter: (src) => !src.endsWith('.sock') && !src.endsWith('ledger.pid') });
    const db = await PGlite.create(join(copy, 'pglite'));
    await change(db);
    await db.close();
    return audit(copy, 'verify', '--checkpoint', kept, '--key', readFileSync(join(kept, 'verifier-key.txt'), 'utf8').trim());
  };
  const stream = (i: number) => `subscription-${cards[i]}`;

  it('verifies the untouched log, also after it grew', async () => {
    expect(audit(dataDir, 'verify', '--checkpoint', kept)).toMatchObject({ code: 0 });
    const grown = await tampered('grown', (db) =>
      db.query(
        `INSERT INTO es_events (position, event_id, stream_id, revision, type, data, metadata)
         SELECT max(position) + 1, gen_random_uuid(), 'account-extra', 0, 'AccountRegistered', '{"accountId":"extra","registeredAt":"2026-12-02T00:00:00.000Z"}', '{}' FROM es_events`,
      ),
    );
    expect(grown.out).toMatch(
      /^consistent: the log of \d+ events extends the signed checkpoint of \d+ \(consistency proof of \d+ hashes verifies\)/m,
    );
    expect(grown.code).toBe(0);
  });

  it("names a stream's last event deleted (even with es_streams left at the old revision)", async () => {
    const r = await tampered('tail', (db) =>
      db.query(`DELETE FROM es_events WHERE stream_id = $1 AND revision = (SELECT max(revision) FROM es_events WHERE stream_id = $1)`, [
        stream(0),
      ]),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(`BROKEN removed_tail ${stream(0)}: its last 1 event(s) are gone`);
  });

  it('names a whole stream deleted', async () => {
    const r = await tampered('stream', async (db) => {
      await db.query('DELETE FROM es_events WHERE stream_id = $1', [stream(1)]);
      await db.query('DELETE FROM es_streams WHERE stream_id = $1', [stream(1)]);
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`BROKEN removed_stream ${stream(1)}: the whole stream is gone`);
  });

  it('names a stream rewritten with recomputed per-stream links, which the chain itself accepts', async () => {
    const r = await tampered('rewritten', async (db) => {
      const { rows } = await db.query<{ event_id: string; revision: number; type: string; data: any; metadata: any }>(
        'SELECT event_id, revision, type, data, metadata FROM es_events WHERE stream_id = $1 ORDER BY revision',
        [stream(2)],
      );
      let previous = '0'.repeat(64);
      for (const e of rows) {
        const data = e.type === 'ValidityExtended' ? { ...e.data, dataMbGranted: 999_999 } : e.data;
        const link = linkFor(previous, {
          id: e.event_id,
          streamId: stream(2),
          revision: e.revision,
          type: e.type,
          data,
          metadata: e.metadata,
        });
        await db.query('UPDATE es_events SET data = $2, metadata = $3 WHERE event_id = $1', [
          e.event_id,
          data,
          { ...e.metadata, hashLink: link },
        ]);
        previous = link;
      }
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`BROKEN rewritten_stream ${stream(2)}: \\d+ events differ from revision 3 on`));
  });

  it('names one event changed', async () => {
    const r = await tampered('changed', (db) =>
      db.query(
        `UPDATE es_events SET data = jsonb_set(data, '{mb}', '1') WHERE stream_id = $1 AND revision = (SELECT max(revision) FROM es_events WHERE stream_id = $1)`,
        [stream(0)],
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`BROKEN changed_event ${stream(0)}: event \\S+ at revision \\d+ was changed`));
  });

  it('names two events swapped in the log’s order, which the stream’s own chain still accepts', async () => {
    const r = await tampered('swapped', async (db) => {
      const { rows } = await db.query<{ position: string }>(
        'SELECT position FROM es_events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 2',
        [stream(1)],
      );
      const [a, b] = rows.map((x) => x.position);
      await db.query('UPDATE es_events SET position = -1 WHERE position = $1', [a]);
      await db.query('UPDATE es_events SET position = $1 WHERE position = $2', [a, b]);
      await db.query('UPDATE es_events SET position = $1 WHERE position = -1', [b]);
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`BROKEN reordered ${stream(1)}:`);
    // The stream read in revision order still verifies: only the log's order changed.
    expect(audit(join(work, 'swapped'), 'verify', stream(1)).code).toBe(0);
  });

  it('exports a period with its proofs, which the offline script verifies (and refuses once an event is changed)', () => {
    const out = join(work, 'export');
    const made = audit(dataDir, 'export', '--from', '2000-01-01', '--to', '2100-01-01', '--out', out);
    expect(made.code).toBe(0);
    expect(made.out).toMatch(
      /^exported \d+ events of 2000-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z, proven against a signed checkpoint of \d+ events/m,
    );
    const key = readFileSync(join(kept, 'verifier-key.txt'), 'utf8').trim();
    const script = (dir: string, k = key) =>
      spawnSync(process.execPath, [join(root, 'scripts', 'verify-export.mjs'), dir, '--key', k], { encoding: 'utf8' });
    const ok = script(out);
    expect(ok.stdout).toMatch(/^ledger\.local\/log: (\d+) of \1 exported events proven in the signed log of \d+ events$/m);
    expect(ok.status).toBe(0);
    const lines = readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(20);
    const changed = JSON.parse(lines[3]);
    changed.event.recordedAt = '2000-01-01T00:00:00.000Z';
    writeFileSync(join(out, 'events.ndjson'), [...lines.slice(0, 3), JSON.stringify(changed), ...lines.slice(4)].join('\n'));
    const bad = script(out);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`BROKEN line 4: event ${changed.event.id}`);
    const stranger = script(out, 'someone+0123abcd+AX2h4m9ZQ3Hq7WQ1yKX8xvOKp9mA4y7sLqN2rX0dJp3a');
    expect(stranger.status).not.toBe(0);
  });

  it('refuses a checkpoint signed by another key, a card id without its prefix resolves, an unknown stream is an error', async () => {
    const other = audit(dataDir, 'verify', '--checkpoint', kept, '--key', 'someone+0123abcd+AX2h4m9ZQ3Hq7WQ1yKX8xvOKp9mA4y7sLqN2rX0dJp3a');
    expect(other.code).toBe(2);
    const bare = audit(dataDir, 'verify', cards[0]);
    expect(bare.code).toBe(0);
    expect(bare.out).toContain('verified');
    const unknown = audit(dataDir, 'verify', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('no stream subscription-00000000-0000-4000-8000-000000000000');
  });
});
