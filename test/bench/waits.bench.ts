/**
 * bench:waits — what pending read-your-writes waits cost the writers, on the embedded default
 * (PGlite, one connection shared by everything). Measures usage-record latency with no waiter, then
 * with N queries waiting on ?minPosition= for a position the projection has not reached (projector
 * off, so they stay pending), in the same run. Usage: npm run bench:waits -- [writes=300] [waiters=200]
 */
import 'reflect-metadata';
import { testSecrets } from '@ledger/identity';
import { loadConfig } from '@ledger/config';
import { openLedgerStorage } from '@ledger/read-models';
import { createLedgerApp } from '../../apps/api/src/bootstrap';
import { IDENTITY } from '../../apps/api/src/infrastructure/tokens';
import { Identity } from '@ledger/identity';
import { signUp } from '../e2e/sign-up';

const [writes = 300, waiters = 200] = process.argv.slice(2).map(Number);

const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const main = async (): Promise<void> => {
  const config = loadConfig({
    LEDGER_PROJECTOR: 'off',
    QUERY_WAIT_MS: '60000',
    QUERY_MAX_WAITERS: String(waiters + 10),
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const ledger = await createLedgerApp(config, {
    storage: await openLedgerStorage({ kind: 'embedded', dataDir: null }),
    logger: false,
    secrets: testSecrets(),
  });
  const fastify = ledger.app.getHttpAdapter().getInstance();
  const send = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fastify.inject({
      method: method as 'GET',
      url,
      payload: body as object,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  const owner = await signUp(send);
  const auth = { authorization: `Bearer ${owner.accessToken}` };
  const card = (await send('POST', '/v1/subscriptions', { iccid: '8949020000077777777', region: 'EU' }, auth)).body;
  const renewal = await send(
    'POST',
    `/v1/subscriptions/${card.subscriptionId}/renewals`,
    { planId: 'eu-annual-100gb', paymentMethod: { type: 'card', token: 'tok_visa' } },
    { ...auth, 'Idempotency-Key': 'bench' },
  );
  const client = await ledger.app.get<Identity>(IDENTITY).staff.createClient('bench-feed', ['usage:record'], new Date());
  const feed = {
    authorization: `Bearer ${(await send('POST', '/v1/auth/token', { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret })).body.accessToken}`,
  };
  let n = 0;
  let cards = 0;
  // A fresh card per round: a card's commands still grow with its history (issue [8]), which would
  // otherwise show up here as the waiters' cost.
  const freshCard = async (): Promise<string> => {
    const opened = (
      await send('POST', '/v1/subscriptions', { iccid: `89490200000888${String(cards++).padStart(5, '0')}`, region: 'EU' }, auth)
    ).body;
    await send(
      'POST',
      `/v1/subscriptions/${opened.subscriptionId}/renewals`,
      { planId: 'eu-annual-100gb', paymentMethod: { type: 'card', token: 'tok_visa' } },
      { ...auth, 'Idempotency-Key': 'b' },
    );
    return opened.subscriptionId;
  };
  const round = async (label: string): Promise<void> => {
    const target = await freshCard();
    const ms: number[] = [];
    for (let i = 0; i < writes; i++) {
      const t = process.hrtime.bigint();
      const r = await send('POST', `/v1/subscriptions/${target}/usage`, { usageId: `u-${n++}`, mb: 1 }, feed);
      if (r.status !== 201) throw new Error(`usage answered ${r.status}: ${JSON.stringify(r.body)}`);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    process.stdout.write(
      `${label.padEnd(22)} ${writes} usage records: p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms\n`,
    );
  };
  await round('no waiters');
  const pending = Array.from({ length: waiters }, () =>
    send('GET', `/v1/subscriptions/${card.subscriptionId}?minPosition=${renewal.body.position}`, undefined, auth),
  );
  await new Promise((r) => setTimeout(r, 500));
  await round(`${waiters} pending waits`);
  await round('no waiters, again');
  await ledger.close();
  const answers = await Promise.all(pending);
  process.stdout.write(
    `the waits ended with ${[...new Set(answers.map((a) => a.body?.code ?? a.status))].join(', ')} when the app closed\n`,
  );
  await ledger.storage.close();
};

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
