/**
 * bench:history — does a command's cost depend on how many events its card holds? p50/p99 of one
 * usage record and of one renewal on a card with 10, 1,000, 10,000 and 50,000 events, warm (the
 * process has the card's state in memory) and cold (a new StreamStates for every command: nothing
 * in memory, so the snapshot and the events after it come from the store, as in a fresh process);
 * then batch usage ingestion across 1,000 cards (POST /v1/usage's handler). PGlite always,
 * PostgreSQL when DATABASE_URL is set (in a schema of its own, dropped at the end).
 * Usage: npm run bench:history -- [usageSamples=300] [renewalSamples=60]
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { subscriptionStreamId } from '@ledger/domain';
import { EventStore, PGlitePool, PostgresEventStore, SqlPool, SqlSnapshotStore, StreamStates } from '@ledger/event-store';
import { benchRenewals } from './bench-payments';
import { RecordUsageHandler, RecordUsageCommand } from '../../apps/api/src/usage/record-usage.handler';
import { RecordUsageBatchCommand, RecordUsageBatchHandler } from '../../apps/api/src/usage/record-usage-batch.handler';

const [usageSamples = 300, renewalSamples = 60] = process.argv.slice(2).map(Number);
const SIZES = [10, 1_000, 10_000, 50_000];
const BATCH_CARDS = 1_000;
const BATCH_RECORDS = 50_000;
const BATCH_SIZE = 500;
const meta = { commandId: 'bench', correlationId: 'bench', causationId: 'bench', actor: 'bench', idempotencyKey: 'bench' };
const ctx = () => ({ commandId: randomUUID(), correlationId: 'bench', actor: 'bench', now: new Date().toISOString() });
const annual = { planId: 'eu-annual-100gb', paymentMethod: { type: 'card' as const, token: 'tok_visa' } };

interface Rig {
  readonly store: EventStore;
  readonly snapshots: SqlSnapshotStore;
  readonly warm: StreamStates;
  readonly analyze: () => Promise<unknown>;
}

const statesFor = (rig: Rig, cold: boolean): StreamStates => (cold ? new StreamStates(rig.store, { snapshots: rig.snapshots }) : rig.warm);
let payments: Awaited<ReturnType<typeof benchRenewals>> | null = null;
const renewer = (rig: Rig, states: StreamStates) => payments!.renewer(states, rig.store);

/** A card opened, renewed with an annual plan through the handler, then usage appended in bulk up to `size` events. */
const cardWith = async (rig: Rig, size: number): Promise<string> => {
  const id = randomUUID();
  const stream = subscriptionStreamId(id);
  const opened = {
    subscriptionId: id,
    accountId: randomUUID(),
    iccid: '8949020000012345678',
    region: 'EU',
    openedAt: new Date().toISOString(),
  };
  await rig.store.appendToStream(stream, [{ id: randomUUID(), type: 'SubscriptionOpened', data: opened, metadata: meta }], 'no_stream');
  await renewer(rig, rig.warm).execute(payments!.command(id, `seed-${id}`, annual.planId, ctx()));
  let revision = (await rig.store.readStream(stream)).length - 1; // opened, selected, captured, extended
  const bucket = (await rig.store.readStream(stream)).find((e) => e.type === 'ValidityExtended')!.data as { bucketId: string };
  while (revision + 1 < size) {
    const n = Math.min(1000, size - revision - 1);
    const events = Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      type: 'DataUsageRecorded',
      data: { usageId: `seed-${revision + i}`, mb: 1, from: [{ bucketId: bucket.bucketId, mb: 1 }], recordedAt: new Date().toISOString() },
      metadata: meta,
    }));
    revision = (await rig.store.appendToStream(stream, events, revision)).nextExpectedRevision;
  }
  rig.warm.forget(stream);
  // As autovacuum would have by then: the planner's statistics reflect the bulk-loaded history.
  if (size > 100) await rig.analyze();
  return id;
};

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const timeEach = async (samples: number, job: (i: number) => Promise<void>): Promise<{ p50: number; p99: number }> => {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = process.hrtime.bigint();
    await job(i);
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
};

type Figures = Record<string, { p50: number; p99: number }>;

const measureCard = async (rig: Rig, size: number): Promise<Figures> => {
  const card = await cardWith(rig, size);
  const figures: Figures = {};
  for (const cold of [false, true]) {
    const mode = cold ? 'cold' : 'warm';
    // One command first, not counted: it folds the seeded history once and writes the card's snapshot.
    await new RecordUsageHandler(statesFor(rig, false)).execute(new RecordUsageCommand(card, `warmup-${mode}`, 1, ctx()));
    figures[`usage ${mode}`] = await timeEach(usageSamples, (i) =>
      new RecordUsageHandler(statesFor(rig, cold)).execute(new RecordUsageCommand(card, `${mode}-${i}`, 1, ctx())).then(() => undefined),
    );
    figures[`renewal ${mode}`] = await timeEach(renewalSamples, async (i) => {
      const answer = await renewer(rig, statesFor(rig, cold)).execute(payments!.command(card, `${mode}-${i}`, 'eu-daily-1gb', ctx()));
      if (answer.status !== 'completed') throw new Error(`renewal ended ${answer.status}`);
    });
  }
  return figures;
};

/**
 * FEEDERS senders, each owning its share of the cards (as the partitions of the network's feed would),
 * send batches one after another. `perCard` consecutive records of a batch go to one card: 1 is the
 * worst case, every record its own card's append.
 */
const FEEDERS = 2;
const batchIngestion = async (rig: Rig, cards: readonly string[], perCard: number): Promise<number> => {
  const handler = new RecordUsageBatchHandler(rig.warm);
  const share = BATCH_CARDS / FEEDERS;
  const batches = BATCH_RECORDS / BATCH_SIZE / FEEDERS;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: FEEDERS }, async (_, feeder) => {
      for (let b = 0; b < batches; b++) {
        const records = Array.from({ length: BATCH_SIZE }, (_, i) => ({
          subscriptionId: cards[feeder * share + (Math.floor((b * BATCH_SIZE + i) / perCard) % share)],
          usageId: `batch-${perCard}-${feeder}-${b}-${i}`,
          mb: 1,
        }));
        const answer = await handler.execute(new RecordUsageBatchCommand(records, ctx()));
        if (answer.accepted !== BATCH_SIZE)
          throw new Error(`batch ${b}: ${JSON.stringify(answer.results.find((r) => r.status !== 'accepted'))}`);
      }
    }),
  );
  return BATCH_RECORDS / (Number(process.hrtime.bigint() - started) / 1e9);
};

const fmt = (x: number): string => x.toFixed(1).padStart(7);

const measure = async (label: string, pool: SqlPool): Promise<void> => {
  const store = new PostgresEventStore(pool);
  await store.migrate();
  const snapshots = new SqlSnapshotStore((sql, p) => pool.query(sql, p));
  const rig: Rig = { store, snapshots, warm: new StreamStates(store, { snapshots }), analyze: () => pool.query('ANALYZE es_events') };
  const bySize = new Map<number, Figures>();
  for (const size of SIZES) {
    bySize.set(size, await measureCard(rig, size));
    const f = bySize.get(size)!;
    console.log(
      `${label.padEnd(10)} ${String(size).padStart(6)} events   ` +
        Object.entries(f)
          .map(([k, v]) => `${k} p50 ${fmt(v.p50)} p99 ${fmt(v.p99)} ms`)
          .join('   '),
    );
  }
  const first = bySize.get(SIZES[0])!;
  const last = bySize.get(SIZES[SIZES.length - 1])!;
  console.log(
    `${label.padEnd(10)} p50 at ${SIZES[SIZES.length - 1]} events ÷ p50 at ${SIZES[0]} (target ≤ 1.5×): ` +
      Object.keys(first)
        .map((k) => `${k} ${(last[k].p50 / first[k].p50).toFixed(2)}×`)
        .join('   '),
  );
  const cards: string[] = [];
  for (let i = 0; i < BATCH_CARDS; i++) cards.push(await cardWith(rig, 4));
  for (const perCard of [1, 50]) {
    const rate = await batchIngestion(rig, cards, perCard);
    const shape = perCard === 1 ? 'every record for another card' : `${perCard} records a card`;
    console.log(
      `${label.padEnd(10)} batch usage, ${shape}: ${rate.toFixed(0)} records/s across ${BATCH_CARDS} cards, ${BATCH_SIZE} records a batch, ${FEEDERS} feeders each owning half the cards (target ≥ 5,000 on PostgreSQL)`,
    );
  }
  await rig.warm.flush();
};

const main = async (): Promise<void> => {
  payments = await benchRenewals();
  console.log(
    `bench:history — ${usageSamples} usage records and ${renewalSamples} renewals per card and mode, Node ${process.version}, ${new Date().toISOString()}`,
  );
  if (process.env.BENCH_SKIP_PGLITE !== '1') {
    const db = await PGlite.create();
    await measure('PGlite', new PGlitePool(db));
    await db.close();
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log('PostgreSQL skipped: set DATABASE_URL (e.g. from infra/postgres/start.sh) to measure it too');
    return;
  }
  const schema = `bench_history_${Date.now()}`;
  const admin = new Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = new Pool({ connectionString: url, max: 12, options: `-c search_path=${schema}` });
  await measure('PostgreSQL', pool);
  await pool.end();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
};

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
