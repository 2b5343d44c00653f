/**
 * bench:rebuild — seeds N events (default 1,000,000) into the PostgreSQL event store, brings the live
 * read models up to date, then runs `projections rebuild all` as operators do (the built CLI, its own
 * process, RSS sampled from outside every 50 ms) and prints events/s and peak RSS; then writes the
 * same volume of rows (same transactions, same row count) with raw batched INSERT … ON CONFLICT
 * through node-postgres and prints replay/raw.
 * Usage: DATABASE_URL=postgres://… node --experimental-vm-modules --no-warnings -r @swc-node/register test/bench/rebuild.bench.ts [N] [batch=10000]
 * It works in a scratch database it creates on that server and drops at the end.
 */
import 'reflect-metadata';
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { PostgresEventStore } from '@ledger/event-store';
import { ProjectionRunner, ledgerProjections, openLedgerStorage } from '@ledger/read-models';
import { createTestDatabase } from '@ledger/testing';
import { randomCardHistory } from '../../libs/read-models/src/testing/random-card-history';

const [events = 1_000_000, batchSize = 10_000] = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
const MB = 1024 * 1024;
const root = join(__dirname, '..', '..');

/** Runs in a child process, so the generator's card states never weigh on the measured RSS. */
const seed = async (url: string, total: number): Promise<void> => {
  const pool = new Pool({ connectionString: url, max: 2 });
  await new PostgresEventStore(pool).migrate();
  const started = performance.now();
  let chunk: object[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    await pool.query(
      `INSERT INTO es_events (position, event_id, stream_id, revision, type, data, metadata)
       SELECT position, event_id, stream_id, revision, type, data, metadata FROM json_to_recordset($1::json)
       AS e(position bigint, event_id uuid, stream_id text, revision integer, type text, data jsonb, metadata jsonb)`,
      [JSON.stringify(chunk)],
    );
    chunk = [];
  };
  let written = 0;
  for (const a of randomCardHistory({ events: total, activeCards: 20_000, eventsPerCard: 20, seed: 2026 })) {
    const first = a.expectedRevision === 'no_stream' ? 0 : a.expectedRevision + 1;
    a.events.forEach((e, i) =>
      chunk.push({
        position: written + i + 1,
        event_id: e.id,
        stream_id: a.streamId,
        revision: first + i,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
      }),
    );
    written += a.events.length;
    if (chunk.length >= 5000) await flush();
  }
  await flush();
  await pool.query('INSERT INTO es_streams (stream_id, revision) SELECT stream_id, max(revision) FROM es_events GROUP BY stream_id');
  // Appends after a bulk load must land above it (event-store.schema.ts: es_log.base).
  await pool.query('UPDATE es_log SET base = (SELECT max(position) FROM es_events) + 1');
  await pool.query('VACUUM ANALYZE es_events');
  process.stdout.write(`seeded ${written} events in ${((performance.now() - started) / 1000).toFixed(1)} s (bulk insert)\n`);
  await pool.end();
};

const seedInChild = (url: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = fork(__filename, ['--seed', url, String(events)], { execArgv: process.execArgv, stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding exited with ${code}`))));
  });

const rssOf = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  } catch {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim() || 0) * 1024;
  }
};

/** The CLI's RSS every 50 ms: the peak, and the value at each quarter of the run to show whether it stays flat. */
const runCli = async (url: string): Promise<{ out: string; peak: number; quarters: number[] }> => {
  const child = spawn(
    process.execPath,
    ['dist/apps/projector/src/projections-cli.js', 'rebuild', 'all', '--batch-size', String(batchSize)],
    {
      cwd: root,
      env: { PATH: process.env.PATH, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const samples: number[] = [];
  const timer = setInterval(() => child.exitCode === null && samples.push(rssOf(child.pid!)), 50);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`projections rebuild exited with ${code}:\n${out}`);
  const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * (samples.length - 1)))] / MB);
  return { out, peak: Math.round(Math.max(...samples) / MB), quarters: [0.25, 0.5, 0.75, 1].map(at) };
};

/**
 * The floor: the rows the rebuild ended with, written again into copies of the tables in as many
 * transactions and as many row writes as the rebuild made, one multi-row INSERT … ON CONFLICT per
 * 4000 rows plus the checkpoint upsert. Only the write transactions are timed.
 */
const rawWrites = async (url: string, transactions: number, rowWrites: number, counts: Record<string, number>): Promise<number> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  const keys: Record<string, string> = { card_balance: 'subscription_id', renewal: 'renewal_id' };
  for (const t of Object.keys(keys)) await client.query(`DROP TABLE IF EXISTS raw_${t}; CREATE TABLE raw_${t} (LIKE ${t} INCLUDING ALL)`);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const after: Record<string, string> = { card_balance: '', renewal: '' };
  let seconds = 0;
  for (let tx = 0; tx < transactions; tx++) {
    const batches: { table: string; cols: string[]; rows: unknown[][] }[] = [];
    for (const [table, key] of Object.entries(keys)) {
      const want = Math.round((rowWrites / transactions) * (counts[table] / total));
      let { rows, fields } = await client.query(`SELECT * FROM ${table} WHERE ${key} > $1 ORDER BY ${key} LIMIT $2`, [after[table], want]);
      if (rows.length < want) ({ rows, fields } = await client.query(`SELECT * FROM ${table} ORDER BY ${key} LIMIT $1`, [want]));
      after[table] = rows.at(-1)?.[key] ?? '';
      const cols = fields.map((f) => f.name);
      batches.push({ table, cols, rows: rows.map((r) => cols.map((c) => (c === 'buckets' ? JSON.stringify(r[c]) : r[c]))) });
    }
    const started = performance.now();
    await client.query('BEGIN');
    for (const { table, cols, rows } of batches) {
      for (let i = 0; i < rows.length; i += 4000) {
        const slice = rows.slice(i, i + 4000);
        const values = slice.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(', ')})`).join(', ');
        const updates = cols
          .filter((c) => c !== keys[table])
          .map((c) => `${c} = EXCLUDED.${c}`)
          .join(', ');
        await client.query(
          `INSERT INTO raw_${table} (${cols.join(', ')}) VALUES ${values} ON CONFLICT (${keys[table]}) DO UPDATE SET ${updates}`,
          slice.flat(),
        );
      }
    }
    await client.query(
      `INSERT INTO projection_checkpoint (name, position, updated_at) VALUES ('raw', $1, now()) ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position`,
      [tx],
    );
    await client.query('COMMIT');
    seconds += (performance.now() - started) / 1000;
  }
  await client.end();
  return seconds;
};

const main = async (): Promise<void> => {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL: required (a PostgreSQL server; the bench creates and drops its own database there)');
  execFileSync(process.execPath, ['scripts/build.js'], { cwd: root, stdio: 'inherit' });
  const db = await createTestDatabase(server, 'ledger_bench');
  try {
    await seedInChild(db.url);
    // A rebuild is measured against live tables that are up to date, as in production.
    const storage = await openLedgerStorage({ kind: 'postgres', eventStoreUrl: db.url, readModelUrl: db.url });
    const liveStarted = performance.now();
    await new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize }).catchUp();
    const liveSeconds = (performance.now() - liveStarted) / 1000;
    await storage.close();

    const cli = await runCli(db.url);
    const [, replayed, rate, rowWrites, transactions, total] =
      /replayed (\d+) events \((\d+) events\/s\), wrote (\d+) rows in (\d+) transactions; ([\d.]+) s in all/.exec(cli.out)!.map(Number);
    const counts = Object.fromEntries(
      [...cli.out.matchAll(/^(\w+): (identical|DIFFERENT)\n.*\n  rebuilt  sha256 \w+  (\d+) rows$/gm)].map((m) => [m[1], Number(m[3])]),
    );
    if (!/^switched /m.test(cli.out) || /DIFFERENT/.test(cli.out)) throw new Error(`the rebuild did not switch cleanly:\n${cli.out}`);
    const rawSeconds = await rawWrites(db.url, transactions, rowWrites, counts);
    const rawRate = replayed / rawSeconds;
    const lines = [
      `events replayed         ${replayed} (batches of ${batchSize}, ${transactions} transactions, ${rowWrites} row writes)`,
      `rows                    ${Object.entries(counts)
        .map(([n, c]) => `${n} ${c}`)
        .join(', ')} (digests identical to the live tables)`,
      `replay                  ${rate} events/s`,
      `whole rebuild           ${total.toFixed(1)} s (replay + indexes + catch-up + digest of both sides + switch) = ${Math.round(replayed / total)} events/s`,
      `(live projection first  ${liveSeconds.toFixed(1)} s = ${Math.round(replayed / liveSeconds)} events/s, same code, in this process)`,
      `raw INSERT…ON CONFLICT  ${rawSeconds.toFixed(1)} s for the same transactions and row writes = ${Math.round(rawRate)} events/s equivalent`,
      `ratio replay/raw        ${(rate / rawRate).toFixed(2)}`,
      `CLI process RSS         peak ${cli.peak} MB; at 25/50/75/100% of the run ${cli.quarters.join(' / ')} MB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await db.stop();
  }
};

if (process.argv[2] === '--seed') seed(process.argv[3], Number(process.argv[4])).catch((err) => (console.error(err), process.exit(1)));
else main().catch((err) => (console.error(err), process.exit(1)));
