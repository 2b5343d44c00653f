/**
 * bench:peers — our PostgreSQL append against Emmett's (@event-driven-io/emmett-postgresql) on the
 * same server in the same run: one append of 3 events to a new stream, 16 concurrent, rounds
 * alternating which store goes first. Each store gets its own fresh database on that server.
 * Usage: npm run bench:peers -- [appends=4000] [concurrency=16] [rounds=4]   (needs DATABASE_URL)
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { PostgresEventStore } from '@ledger/event-store';

const [appends = 4000, concurrency = 16, rounds = 4] = process.argv.slice(2).map(Number);
const EVENTS_PER_APPEND = 3;

const payload = (i: number) => ({ cardId: randomUUID(), mb: i % 500, recordedAt: new Date().toISOString(), note: 'x'.repeat(64) });
const metadata = () => ({
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: 'bench',
  idempotencyKey: randomUUID(),
});

/** `total` appends on `concurrency` workers; answers appends per second. */
const appendsPerSecond = async (append: (i: number) => Promise<unknown>): Promise<number> => {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < appends; i = next++) await append(i);
    }),
  );
  return appends / (Number(process.hrtime.bigint() - started) / 1e9);
};

const databaseUrl = (base: string, name: string): string => {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
};

const main = async (): Promise<void> => {
  const base = process.env.DATABASE_URL;
  if (!base) {
    console.error('bench:peers needs DATABASE_URL (e.g. from infra/postgres/start.sh: source /tmp/ledger-infra/postgres.env)');
    process.exit(2);
  }
  const stamp = Date.now();
  const names = { ours: `bench_peers_ours_${stamp}`, emmett: `bench_peers_emmett_${stamp}` };
  const admin = new Pool({ connectionString: base, max: 1 });
  for (const name of Object.values(names)) await admin.query(`CREATE DATABASE ${name}`);

  const ourPool = new Pool({ connectionString: databaseUrl(base, names.ours), max: concurrency + 2 }).on('error', () => undefined);
  const ours = new PostgresEventStore(ourPool);
  await ours.migrate();
  // The dropped databases end their connections; a pool must not raise that as an unhandled error.
  const emmettPool = new Pool({ connectionString: databaseUrl(base, names.emmett), max: concurrency + 2 }).on('error', () => undefined);
  const emmett = getPostgreSQLEventStore(databaseUrl(base, names.emmett), { connectionOptions: { pool: emmettPool } });
  await emmett.schema.migrate();

  const runOurs = () =>
    appendsPerSecond((i) =>
      ours.appendToStream(
        `card-${randomUUID()}`,
        Array.from({ length: EVENTS_PER_APPEND }, (_, k) => ({
          id: randomUUID(),
          type: 'DataUsageRecorded',
          data: payload(i + k),
          metadata: metadata(),
        })),
        'no_stream',
      ),
    );
  const runEmmett = () =>
    appendsPerSecond((i) =>
      emmett.appendToStream(
        `card-${randomUUID()}`,
        Array.from({ length: EVENTS_PER_APPEND }, (_, k) => ({ type: 'DataUsageRecorded', data: payload(i + k), metadata: metadata() })),
        { expectedStreamVersion: 'STREAM_DOES_NOT_EXIST' },
      ),
    );

  console.log(
    `bench:peers — ${appends} appends of ${EVENTS_PER_APPEND} events to new streams, ${concurrency} concurrent, ${rounds} rounds, Node ${process.version}`,
  );
  await runOurs();
  await runEmmett(); // warm-up of both, not counted
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const first = round % 2 === 1 ? 'ours' : 'emmett';
    const figures: Record<string, number> = {};
    for (const who of first === 'ours' ? ['ours', 'emmett'] : ['emmett', 'ours'])
      figures[who] = who === 'ours' ? await runOurs() : await runEmmett();
    ratios.push(figures.ours / figures.emmett);
    console.log(
      `round ${round}: ours ${figures.ours.toFixed(0).padStart(6)} appends/s   Emmett ${figures.emmett.toFixed(0).padStart(6)} appends/s   ours/Emmett ${(figures.ours / figures.emmett).toFixed(2)}×`,
    );
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(`ours/Emmett: min ${sorted[0].toFixed(2)}×  median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}×  (target ≥ 1.3×)`);

  await emmett.close();
  await emmettPool.end().catch(() => undefined);
  await ourPool.end();
  for (const name of Object.values(names)) await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
};

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
