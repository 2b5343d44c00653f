/**
 * bench:reconcile — a day of N payments (default 1,000,000): N captures (and their payments) seeded
 * straight into the read models of a scratch PostgreSQL database, the provider's settlement file of
 * the same N lines with a few planted breaks, written to disk; then one reconciliation run streaming
 * it, timed, RSS sampled every 50 ms. The npm script caps the heap at 192 MB: a run whose memory grew
 * with the day would die of it. Prints seconds, lines/s, peak RSS above the start, and the breaks.
 * Usage: DATABASE_URL=postgres://… npm run bench:reconcile -- [N]
 */
import 'reflect-metadata';
import { closeSync, createReadStream, mkdtempSync, openSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedgerStorage, reconcileDay } from '@ledger/read-models';
import { createTestDatabase } from '@ledger/testing';

const [payments = 1_000_000] = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
const MB = 1024 * 1024;
const DAY = '2026-12-01';

const seed = async (query: (sql: string, params?: unknown[]) => Promise<unknown>, n: number): Promise<void> => {
  // One capture every few milliseconds across the day; fee 47 on 1,599 like the sandbox's card tariff.
  await query(
    `INSERT INTO money_movement (movement_id, reference, kind, subscription_id, renewal_id, currency, gross_minor, fee_minor, occurred_at, last_revision, last_position)
     SELECT 'charge:pay-' || i, 'pay-' || i, 'charge', 'card-' || (i % 50000), 'ren-' || i, 'EUR', 1599, 47,
            $1::timestamptz + (i * (86399000.0 / $2)) * interval '1 millisecond', 2, i
     FROM generate_series(1, $2) AS i`,
    [`${DAY}T00:00:00.000Z`, n],
  );
  await query(
    `INSERT INTO payment (payment_id, renewal_id, subscription_id, plan_id, method, currency, list_minor, days, data_mb, period_end, forfeited_mb,
       discounts, amount_minor, status, provider_reference, fee_minor, selected_at, captured_at, refunded_minor, refunds, chargebacks_lost,
       chargeback, chargeback_lost_minor, entitlement_granted, revocations, history, last_revision, last_position)
     SELECT 'pay-' || i, 'ren-' || i, 'card-' || (i % 50000), 'eu-monthly-10gb', 'card', 'EUR', 1999, 30, 10240,
            m.occurred_at + interval '30 days', 0, '[{"kind":"first_order","promotionId":"first-order","amountMinor":400}]'::jsonb, 1599,
            'captured', 'psp-' || i, 47, m.occurred_at, m.occurred_at, 0, 0, 0, NULL, 0, true, 0, '[]'::jsonb, 3, i
     FROM generate_series(1, $1) AS i JOIN money_movement m ON m.movement_id = 'charge:pay-' || i`,
    [n],
  );
};

/** The provider's file, written to disk in chunks: every capture settled, except one; one line the ledger does not know; one fee differs. */
const writeSettlementFile = (path: string, n: number): number => {
  const fd = openSync(path, 'w');
  writeSync(fd, 'payout_id,provider_payment_id,reference,type,method,currency,gross_minor,fee_minor,net_minor,occurred_at\r\n');
  const start = Date.parse(`${DAY}T00:00:00.000Z`);
  let chunk: string[] = [];
  for (let i = 1; i <= n; i++) {
    if (i === 7) continue;
    const at = new Date(start + Math.floor((i * 86_399_000) / n)).toISOString();
    const fee = i === 11 ? 48 : 47;
    chunk.push(`po_${DAY}_EUR,psp-${i},pay-${i},charge,card,EUR,1599,${fee},${1599 - fee},${at}\r\n`);
    if (chunk.length === 10_000) {
      writeSync(fd, chunk.join(''));
      chunk = [];
    }
  }
  chunk.push(`po_${DAY}_EUR,psp-x,stray-1,charge,card,EUR,499,32,467,${DAY}T12:00:00.000Z\r\n`);
  writeSync(fd, chunk.join(''));
  closeSync(fd);
  return statSync(path).size;
};

const main = async (): Promise<void> => {
  const admin = process.env.DATABASE_URL;
  if (!admin) {
    console.error('bench:reconcile needs DATABASE_URL (e.g. from infra/postgres/start.sh: source /tmp/ledger-infra/postgres.env)');
    process.exit(2);
  }
  const db = await createTestDatabase(admin, 'bench_reconcile');
  const storage = await openLedgerStorage({ kind: 'postgres', eventStoreUrl: db.url, readModelUrl: db.url });
  try {
    const seeding = performance.now();
    await seed((sql, params) => storage.dataSource.query(sql, params), payments);
    const file = join(mkdtempSync(join(tmpdir(), 'bench-reconcile-')), 'settlement.csv');
    const size = writeSettlementFile(file, payments);
    console.log(
      `bench:reconcile — ${payments.toLocaleString('en')} payments in a day, settlement file ${(size / MB).toFixed(0)} MB (streamed from disk), Node ${process.version}, ${new Date().toISOString()} (seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s)`,
    );
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const run = await reconcileDay(storage.dataSource, {
      day: DAY,
      settlement: createReadStream(file),
      asOf: '2026-12-05T00:00:00.000Z',
      graceHours: 48,
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const kinds = run.breaks.map((b) => b.kind).sort();
    console.log(
      `reconciled in ${seconds.toFixed(1)} s (${Math.round(payments / seconds).toLocaleString('en')} lines/s; target < 60 s)   peak RSS +${((peak - base) / MB).toFixed(0)} MB over ${(base / MB).toFixed(0)} MB   matched ${run.matched.toLocaleString('en')}   breaks: ${kinds.join(', ')}`,
    );
  } finally {
    await storage.close();
    await db.stop();
  }
};

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
