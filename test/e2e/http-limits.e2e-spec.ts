import { connect } from 'node:net';
import { loadConfig } from '@ledger/config';
import { openLedgerStorage } from '@ledger/read-models';
import { testSecrets } from '@ledger/identity';
import { LedgerApp, createLedgerApp } from '../../apps/api/src/bootstrap';
import { Owner, bearer, fetchSender, signUp } from './sign-up';

/** A real socket: these limits live in Node's HTTP parser and Fastify's server, below the injector. */
const start = async (env: Record<string, string>): Promise<{ ledger: LedgerApp; base: string; port: number }> => {
  const ledger = await createLedgerApp(loadConfig({ ...env }), {
    storage: await openLedgerStorage({ kind: 'embedded', dataDir: null }),
    logger: false,
    secrets: testSecrets(),
  });
  await ledger.app.listen(0, '127.0.0.1');
  const { port } = ledger.app.getHttpServer().address() as { port: number };
  return { ledger, base: `http://127.0.0.1:${port}`, port };
};

const stop = async (ledger: LedgerApp) => {
  await ledger.close();
  await ledger.storage.close();
};

/** Writes raw bytes and reads until the server closes the connection. */
const raw = (port: number, chunks: string[], pauseMs = 0): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });

const problemOf = (answer: string) => {
  const [head, body] = answer.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], head, body: JSON.parse(body) };
};

describe('transport limits, on a real socket', () => {
  let s: Awaited<ReturnType<typeof start>>;
  let owner: Owner;
  let card: { position: string; subscriptionId: string };
  beforeAll(async () => {
    s = await start({ HTTP_REQUEST_TIMEOUT_MS: '1500', LEDGER_PROJECTOR: 'off', QUERY_MAX_WAITERS: '2', QUERY_WAIT_MS: '3000' });
    owner = await signUp(fetchSender(s.base));
    const opened = await fetch(`${s.base}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(owner.accessToken) },
      body: JSON.stringify({ iccid: '8949020000099999999', region: 'EU' }),
    });
    card = (await opened.json()) as typeof card;
  });
  afterAll(() => stop(s.ledger));

  it('refuses a minPosition no event has reached, at once, with 400', async () => {
    // Past the card's own event and within its transaction's range of positions: never written.
    const unwritten = BigInt(card.position) + 1000n;
    const res = await fetch(`${s.base}/v1/subscriptions/${card.subscriptionId}?minPosition=${unwritten}`, {
      headers: bearer(owner.accessToken),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'POSITION_NOT_IN_LOG', field: 'minPosition' });
  });

  it('answers oversized headers with 431 problem+json', async () => {
    const answer = await raw(s.port, [`GET /v1/plans HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    const p = problemOf(answer);
    expect(p.statusLine).toContain('431');
    expect(p.head).toContain('application/problem+json');
    expect(p.body).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
  });

  it('answers bytes that are not HTTP with 400 problem+json', async () => {
    const p = problemOf(await raw(s.port, ['GET /v1/plans HTTP/1.1\r\nHo\u0001st: x\r\n\r\n']));
    expect(p.statusLine).toContain('400');
    expect(p.body).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('cuts off a body that trickles in slower than the request timeout', async () => {
    const head = 'POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n';
    // Never finished on its own (40 bytes announced, 27 sent): only the server's timeout ends it.
    const p = problemOf(await raw(s.port, [head, ...'{"phoneNumber":"+4917012345'.split('')], 400));
    expect(p.statusLine).toContain('408');
    expect(p.body).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
  });

  it('sends security headers and no CORS headers unless origins are configured', async () => {
    const res = await fetch(`${s.base}/v1/plans`, { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBeTruthy();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses more concurrent minPosition waits than allowed, at once, with 503 and Retry-After', async () => {
    // With no projector running, a real position stays unprojected for as long as the wait lasts.
    const { position, subscriptionId } = card;
    const url = `${s.base}/v1/subscriptions/${subscriptionId}?minPosition=${position}`;
    const get = () => fetch(url, { headers: bearer(owner.accessToken) });
    const waiting = [get(), get()];
    await new Promise((r) => setTimeout(r, 300));
    const third = await get();
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toMatchObject({
      code: 'TOO_MANY_WAITERS',
      field: 'minPosition',
      limit: { name: 'QUERY_MAX_WAITERS', value: 2 },
    });
    for (const w of await Promise.all(waiting)) expect(((await w.json()) as { code: string }).code).toBe('PROJECTION_BEHIND');
  });
});

describe('rate limits and CORS, when configured', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => (s = await start({ RATE_LIMIT_PER_MINUTE: '5', CORS_ORIGINS: 'https://console.example' })));
  afterAll(() => stop(s.ledger));

  it('answers 429 problem+json with Retry-After past the per-address limit', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await fetch(`${s.base}/v1/plans`);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(last!.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it('allows a configured origin and no other', async () => {
    const preflight = (origin: string) =>
      fetch(`${s.base}/v1/accounts`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    expect((await preflight('https://console.example')).headers.get('access-control-allow-origin')).toBe('https://console.example');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
