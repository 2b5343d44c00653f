import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signWebhook } from '@ledger/payments';
import { BuiltProcess, freePort, startBuiltApi, stopProcess } from './built-api';
import { bearer, fetchSender, openOwnCard, signUp } from './sign-up';

type Line = Record<string, unknown> & { level: string; msg: string };

const lines = (api: BuiltProcess): Line[] =>
  api
    .stdoutText()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const eventually = async <T>(what: string, probe: () => T | undefined): Promise<T> => {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const found = probe();
    if (found !== undefined) return found;
  }
  throw new Error(`no log line with ${what}`);
};

/** The built API's stdout as a log collector reads it from a pipe. */
describe('the API log', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-logs-'));
  let api: BuiltProcess;
  let base = '';
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = await startBuiltApi(dataDir, port);
  });
  afterAll(async () => {
    await stopProcess(api);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is JSON lines only, without colour codes, down to the start-up lines', async () => {
    const text = api.stdoutText();
    expect(text).toContain('listening on');
    expect(text).not.toMatch(/\u001b\[/);
    for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines(api).find((l) => l.msg.startsWith('listening on'))).toMatchObject({ app: 'api', level: 'info', context: 'Ledger' });
  });

  it("logs a request's response under the caller's correlation id, without its token", async () => {
    await fetch(`${base}/v1/plans`, { headers: { 'x-correlation-id': 'abc-123', authorization: 'Bearer not-a-token' } });
    const line = await eventually('correlation_id abc-123', () => lines(api).find((l) => l.correlation_id === 'abc-123'));
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request completed',
      req: { method: 'GET', url: '/v1/plans' },
      res: { statusCode: 200 },
    });
    expect(JSON.stringify(line)).not.toContain('not-a-token');
  });

  it("puts the correlation id on the lines Nest's Logger writes while serving the request", async () => {
    const body = JSON.stringify({ id: 'evt_logs_1', type: 'payment.succeeded', data: { payment: { reference: 'no-such-payment' } } });
    const res = await fetch(`${base}/v1/webhooks/psp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': 'abc-456',
        'psp-signature': signWebhook(body, 'whsec_sandbox_local', Math.floor(Date.now() / 1000)),
      },
      body,
    });
    expect(res.status).toBe(200);
    const warned = await eventually('the webhook warning', () =>
      lines(api).find((l) => l.context === 'Webhooks' && l.correlation_id === 'abc-456'),
    );
    expect(warned).toMatchObject({ level: 'warn', app: 'api' });
  });

  it('gives the events a request caused the correlation id of its log lines', async () => {
    const send = fetchSender(base);
    const owner = await signUp(send);
    const opened = await openOwnCard(send, owner, { 'x-correlation-id': 'open-card-1' });
    expect(opened.status).toBe(201);
    const events = await send('GET', `/v1/subscriptions/${opened.body.subscriptionId}/events`, undefined, bearer(owner.accessToken));
    expect(events.body.events[0].metadata.correlationId).toBe('open-card-1');
    await eventually('correlation_id open-card-1', () => lines(api).find((l) => l.correlation_id === 'open-card-1'));
    // Signing up read the sandbox SMS by phone number in the query: the logs name the parameter only.
    const sms = await eventually('the sandbox SMS request line', () =>
      lines(api).find((l) => String((l.req as { url?: string } | undefined)?.url ?? '').startsWith('/v1/sandbox/sms')),
    );
    expect((sms.req as { url: string }).url).toBe('/v1/sandbox/sms?phoneNumber=…');
    expect(api.stdoutText()).not.toContain(owner.phoneNumber.slice(1));
  });

  it('answers a request without a usable correlation id under a fresh one, shared by its log line and its events', async () => {
    const send = fetchSender(base);
    const owner = await signUp(send);
    const opened = await openOwnCard(send, owner, { 'x-correlation-id': 'not a valid id!' });
    const events = await send('GET', `/v1/subscriptions/${opened.body.subscriptionId}/events`, undefined, bearer(owner.accessToken));
    const { correlationId, commandId } = events.body.events[0].metadata;
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(correlationId).not.toBe(commandId);
    const line = await eventually('the fresh correlation id', () => lines(api).find((l) => l.correlation_id === correlationId));
    expect(line).toMatchObject({ req: { method: 'POST', url: '/v1/subscriptions' }, res: { statusCode: 201 } });
  });
});
