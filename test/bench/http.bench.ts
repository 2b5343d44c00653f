/**
 * bench:http — renewals through HTTP, as a client sees them: the built API (`npm start`'s process)
 * against PostgreSQL, projector in the process, a bounded load loop of `concurrency` clients over
 * keep-alive connections, each renewing its own cards (POST /v1/subscriptions/:id/renewals with an
 * Idempotency-Key). Prints renewals/s and p50/p99/max latency three times in one run: OpenTelemetry
 * off (OTEL_SDK_DISABLED=true), as shipped (trace context carried, spans not exported), and
 * exporting every span; and their ratios to the first: what tracing costs. Needs DATABASE_URL; each run gets a fresh database on that server, dropped at the end.
 * Usage: npm run bench:http -- [renewals=5000] [concurrency=16] [cards=200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Pool } from 'pg';
import { freePort, root, startBuiltApi, stopProcess } from '../e2e/built-api';
import { Owner, fetchSender, signUp } from '../e2e/sign-up';

const [renewals = 5000, concurrency = 16, cardCount = 200] = process.argv.slice(2).map(Number);

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface Figures {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const main = async (): Promise<void> => {
  const base = process.env.DATABASE_URL;
  if (!base) {
    console.error('bench:http needs DATABASE_URL (e.g. from infra/postgres/start.sh: source /tmp/ledger-infra/postgres.env)');
    process.exit(2);
  }
  execFileSync(process.execPath, [join(root, 'scripts', 'build.js')], { stdio: 'inherit' });
  console.log(
    `bench:http — ${renewals} renewals over HTTP, ${concurrency} concurrent clients, ${cardCount} cards, PostgreSQL, Node ${process.version}, ${new Date().toISOString()}`,
  );
  const runs: [string, Figures][] = [];
  for (const [label, env] of [
    ['tracing off', { OTEL_SDK_DISABLED: 'true' }],
    ['tracing on, not exported', {}],
    // Exported to an address nothing listens on: every span is made and sent, the sends fail fast.
    ['tracing on, exported', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }],
  ] as const) {
    const f = await measure(base, env);
    runs.push([label, f]);
    console.log(
      `${label.padEnd(26)} renewals/s ${f.perSecond.toFixed(0)}   p50 ${f.p50.toFixed(1)} ms   p99 ${f.p99.toFixed(1)} ms   max ${f.max.toFixed(1)} ms   (target ≥ 1,000/s with p99 ≤ 50 ms)`,
    );
  }
  const [, off] = runs[0];
  for (const [label, f] of runs.slice(1))
    console.log(
      `${label} against off: throughput × ${(f.perSecond / off.perSecond).toFixed(2)}, p50 × ${(f.p50 / off.p50).toFixed(2)}, p99 × ${(f.p99 / off.p99).toFixed(2)}`,
    );
};

const measure = async (base: string, env: Record<string, string>): Promise<Figures> => {
  const name = `bench_http_${Date.now()}`;
  const admin = new Pool({ connectionString: base, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const port = await freePort();
  const api = await startBuiltApi(dataDir, port, {
    EVENT_STORE_URL: url.toString(),
    // Sign-ups of the bench's owners come from one address; the load itself is per owner.
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    // The warm-up sends every card at once: on two shared cores an answer may take longer than the default 3 s.
    RENEWAL_ANSWER_MS: '30000',
    ...env,
    // e.g. --cpu-prof --cpu-prof-dir=/tmp/api-profile, to see where the API spends its time.
    ...(process.env.BENCH_API_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_API_NODE_OPTIONS } : {}),
  });
  const origin = `http://127.0.0.1:${port}`;
  const send = fetchSender(origin);
  try {
    const owners: Owner[] = [];
    const cards: { id: string; token: string }[] = [];
    for (let i = 0; i < cardCount; i++) {
      const owner = await signUp(send);
      owners.push(owner);
      const iccid = `894902${String(process.pid % 10_000).padStart(4, '0')}${String(i).padStart(9, '0')}`;
      const card = await send(
        'POST',
        '/v1/subscriptions',
        { accountId: owner.accountId, iccid, region: 'EU' },
        { authorization: `Bearer ${owner.accessToken}` },
      );
      if (card.status !== 201) throw new Error(`open card: ${card.status} ${JSON.stringify(card.body)}`);
      cards.push({ id: card.body.subscriptionId, token: owner.accessToken });
    }
    const body = JSON.stringify({ planId: 'eu-daily-1gb', paymentMethod: { type: 'card', token: 'tok_visa' } });
    const renew = async (i: number, card: { id: string; token: string }): Promise<number> => {
      const started = process.hrtime.bigint();
      const res = await fetch(`${origin}/v1/subscriptions/${card.id}/renewals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${card.token}`, 'idempotency-key': `bench-${i}` },
        body,
      });
      const answer = (await res.json()) as { status?: string };
      if (res.status !== 201 || answer.status !== 'completed') throw new Error(`renewal ${i}: ${res.status} ${JSON.stringify(answer)}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    // Warm-up, not counted: every card once.
    await Promise.all(cards.map((c, i) => renew(-1 - i, c)));
    const latencies: number[] = [];
    let next = 0;
    const perWorker = Math.floor(cards.length / concurrency);
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        for (let i = next++, k = 0; i < renewals; i = next++, k++) latencies.push(await renew(i, cards[w + concurrency * (k % perWorker)]));
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    return {
      perSecond: renewals / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
    };
  } finally {
    await stopProcess(api);
    rmSync(dataDir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
};

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
