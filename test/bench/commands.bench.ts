/**
 * bench:commands — whole renewals/s: the request handler starts the payment process, which claims,
 * reserves the card, charges the sandbox provider over HTTP and completes the card. Beside it, in the
 * same run on the same store: the same process with a provider answering in memory (what the HTTP
 * round trips cost), and raw appends of the card's three events (what the store can do).
 * PGlite always; PostgreSQL when DATABASE_URL is set.
 * Usage: npm run bench:commands -- [renewals=2000] [concurrency=8]
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { accountStreamId, subscriptionStreamId } from '@ledger/domain';
import { EventStore, PGlitePool, PostgresEventStore, SqlPool, StreamStates } from '@ledger/event-store';
import { benchRenewals } from './bench-payments';

const [renewals = 2000, concurrency = 8] = process.argv.slice(2).map(Number);
const CARDS = Math.max(concurrency, Math.ceil(renewals / 10));
const meta = { commandId: 'bench', correlationId: 'bench', causationId: 'bench', actor: 'bench', idempotencyKey: 'bench' };

const seedCards = async (store: EventStore): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < CARDS; i++) {
    const accountId = randomUUID();
    const subscriptionId = randomUUID();
    await store.appendToStream(
      accountStreamId(accountId),
      [{ id: randomUUID(), type: 'AccountRegistered', data: { accountId, registeredAt: new Date().toISOString() }, metadata: meta }],
      'no_stream',
    );
    const opened = { subscriptionId, accountId, iccid: '8949020000012345678', region: 'EU', openedAt: new Date().toISOString() };
    await store.appendToStream(
      subscriptionStreamId(subscriptionId),
      [{ id: randomUUID(), type: 'SubscriptionOpened', data: opened, metadata: meta }],
      'no_stream',
    );
    ids.push(subscriptionId);
  }
  return ids;
};

/** Runs `total` jobs on `concurrency` workers; worker w only touches cards w, w+C, w+2C, … so they never conflict. */
const run = async (total: number, job: (i: number, card: number) => Promise<void>): Promise<number> => {
  let next = 0;
  const perWorker = Math.floor(CARDS / concurrency);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = next++, k = 0; i < total; i = next++, k++) await job(i, worker + concurrency * (k % perWorker));
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
};

const commandPath = async (store: EventStore, over: 'http' | 'memory'): Promise<number> => {
  const cards = await seedCards(store);
  // Whole renewals: the payment process, and (over 'http') the sandbox provider's HTTP round trips.
  const payments = await benchRenewals(over);
  const handler = payments.renewer(new StreamStates(store), store);
  const seconds = await run(renewals, async (i, c) => {
    const card = cards[c];
    const ctx = { commandId: randomUUID(), correlationId: 'bench', actor: 'bench', now: new Date().toISOString() };
    const answer = await handler.execute(payments.command(card, `bench-${i}`, 'eu-daily-1gb', ctx));
    if (answer.status !== 'completed') throw new Error(`renewal ${i} ended ${answer.status}`);
  });
  await payments.close();
  return renewals / seconds;
};

const rawAppends = async (store: EventStore): Promise<number> => {
  const cards = await seedCards(store);
  const revision = new Map(cards.map((c) => [c, 0]));
  const data = { renewalId: 'r', planId: 'eu-daily-1gb', price: { amountMinor: 299, currency: 'EUR' } };
  const seconds = await run(renewals, async (_i, c) => {
    const card = cards[c];
    const stream = subscriptionStreamId(card);
    let rev = revision.get(card)!;
    await store.appendToStream(stream, [{ id: randomUUID(), type: 'PlanSelected', data, metadata: meta }], rev);
    rev += 1;
    const pair = ['PaymentCaptured', 'ValidityExtended'].map((type) => ({ id: randomUUID(), type, data, metadata: meta }));
    await store.appendToStream(stream, pair, rev);
    revision.set(card, rev + 2);
  });
  return renewals / seconds;
};

const measure = async (label: string, open: () => Promise<{ pool: SqlPool; close: () => Promise<void> }>): Promise<void> => {
  const { pool, close } = await open();
  const store = new PostgresEventStore(pool);
  await store.migrate();
  const raw = await rawAppends(store);
  const processOnly = await commandPath(store, 'memory');
  const commands = await commandPath(store, 'http');
  const f = (n: number) => n.toFixed(0).padStart(6);
  console.log(
    `${label.padEnd(10)} renewals/s whole (process + sandbox over HTTP): ${f(commands)}   process, provider in memory: ${f(processOnly)}   raw appends of the card's events: ${f(raw)}   ratios whole/raw ${(commands / raw).toFixed(2)}, process/raw ${(processOnly / raw).toFixed(2)}`,
  );
  await close();
};

const main = async (): Promise<void> => {
  console.log(`bench:commands — ${renewals} renewals, ${concurrency} concurrent, ${CARDS} cards, Node ${process.version}`);
  await measure('PGlite', async () => {
    const db = await PGlite.create();
    return { pool: new PGlitePool(db), close: () => db.close() };
  });
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log('PostgreSQL skipped: set DATABASE_URL (e.g. from infra/postgres/start.sh) to measure it too');
    return;
  }
  const schema = `bench_${Date.now()}`;
  const admin = new Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await measure('PostgreSQL', async () => {
    const pool = new Pool({ connectionString: url, max: concurrency + 2, options: `-c search_path=${schema}` });
    return { pool, close: () => pool.end() };
  });
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
};

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
