/**
 * bench:audit — the auditors' queries (GET /v1/audit/events's handler) on an audit index of N events
 * (default 1,000,000) across 50,000 cards of 20,000 accounts, seeded straight into a scratch
 * PostgreSQL database's read models. Each query's median and p99 over 30 runs, the rows it answered,
 * and whether PostgreSQL answered it from an index (EXPLAIN). Usage:
 * DATABASE_URL=postgres://… npm run bench:audit -- [N]
 */
import 'reflect-metadata';
import { openLedgerStorage } from '@ledger/read-models';
import { createTestDatabase } from '@ledger/testing';
import { AuditEventsHandler, AuditFilter } from '../../apps/api/src/audit/audit-events.query';

const [events = 1_000_000] = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
const CARDS = 50_000;
const ACCOUNTS = 20_000;
const TYPES = [
  'SubscriptionOpened',
  'PlanSelected',
  'PaymentCaptured',
  'ValidityExtended',
  'DataUsageRecorded',
  'DataExpired',
  'RenewalReminderDue',
];

const main = async (): Promise<void> => {
  const admin = process.env.DATABASE_URL;
  if (!admin) {
    console.error('bench:audit needs DATABASE_URL (e.g. from infra/postgres/start.sh: source /tmp/ledger-infra/postgres.env)');
    process.exit(2);
  }
  const db = await createTestDatabase(admin, 'bench_audit');
  const storage = await openLedgerStorage({ kind: 'postgres', eventStoreUrl: db.url, readModelUrl: db.url });
  const q = (sql: string, params?: unknown[]) => storage.dataSource.query(sql, params);
  try {
    const seeding = performance.now();
    await q(
      `INSERT INTO card_iccid (iccid, subscription_id, account_id)
       SELECT '8949' || lpad(i::text, 15, '0'), '00000000-0000-4000-8000-' || lpad(i::text, 12, '0'), '11111111-0000-4000-8000-' || lpad((i % $1)::text, 12, '0')
       FROM generate_series(0, $2 - 1) AS i`,
      [ACCOUNTS, CARDS],
    );
    await q(
      `INSERT INTO audit_event (event_id, stream_id, subscription_id, account_id, type, actor, correlation_id, causation_id, command_id, recorded_at, last_revision, last_position)
       SELECT 'e-' || i, 'subscription-' || card, card, NULL, ($3::text[])[1 + i % 7],
              CASE WHEN i % 10 = 4 THEN 'client:usage-feed' ELSE 'account:11111111-0000-4000-8000-' || lpad(((i % $2) % $4)::text, 12, '0') END,
              'corr-' || (i / 4), 'cause-' || (i / 4), 'cmd-' || (i / 4),
              timestamptz '2026-11-01T00:00:00Z' + (i * (30 * 86400.0 / $1)) * interval '1 second', i / $2, i + 1
       FROM (SELECT i, '00000000-0000-4000-8000-' || lpad((i % $2)::text, 12, '0') AS card FROM generate_series(0, $1 - 1) AS i) s`,
      [events, CARDS, TYPES, ACCOUNTS],
    );
    await q('ANALYZE audit_event');
    await q('ANALYZE card_iccid');
    console.log(
      `bench:audit — ${events.toLocaleString('en')} events, ${CARDS.toLocaleString('en')} cards, ${ACCOUNTS.toLocaleString('en')} accounts, Node ${process.version}, ${new Date().toISOString()} (seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s)`,
    );
    const handler = new AuditEventsHandler(storage.dataSource);
    const cases: [string, AuditFilter][] = [
      ['by actor (one owner), first page of 100', { actor: 'account:11111111-0000-4000-8000-000000000042', limit: 100 }],
      ['by correlation id', { correlationId: `corr-${Math.floor(events / 8)}`, limit: 100 }],
      ['by causation id', { causationId: `cause-${Math.floor(events / 12)}`, limit: 100 }],
      ['by type, first page of 100', { type: 'PaymentCaptured', limit: 100 }],
      ['by type in a day, page of 100', { type: 'PaymentCaptured', from: '2026-11-15T00:00:00Z', to: '2026-11-16T00:00:00Z', limit: 100 }],
      ["by account (its own events and its cards')", { accountId: '11111111-0000-4000-8000-000000000042', limit: 100 }],
      ['by card', { subscriptionId: '00000000-0000-4000-8000-000000000042', limit: 100 }],
      [
        'a deep page (after the 900,000th position) by type',
        { type: 'DataUsageRecorded', after: BigInt(Math.floor(events * 0.9)), limit: 100 },
      ],
      ['everything in an hour, page of 1000', { from: '2026-11-20T10:00:00Z', to: '2026-11-20T11:00:00Z', limit: 1000 }],
    ];
    const rows: string[] = [];
    for (const [name, filter] of cases) {
      const times: number[] = [];
      let answered = 0;
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        answered = (await handler.execute({ filter } as never)).events.length;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      rows.push(`| ${name} | ${times[15].toFixed(1)} | ${times[29].toFixed(1)} | ${answered} |`);
    }
    const plan: { 'QUERY PLAN': string }[] = await q(
      "EXPLAIN SELECT * FROM audit_event WHERE actor = 'account:x' ORDER BY last_position LIMIT 101",
    );
    console.log('| query | p50 ms | p99 ms | rows |\n| --- | --- | --- | --- |');
    for (const r of rows) console.log(r);
    console.log(`plan for "by actor": ${plan.map((p) => p['QUERY PLAN'].trim()).join(' / ')}`);
  } finally {
    await storage.close();
    await db.stop();
  }
};

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
