import { CreatePaymentRequest, ProviderRejectedError } from '@ledger/payments';
import { PspSandbox } from './psp-sandbox';
import { call, cleanup, clientFor, start, tempDir } from './spec-support';

const EUR = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
let n = 0;
const request = (method: CreatePaymentRequest['method'], token: string, amountMinor = 999): CreatePaymentRequest => ({
  reference: `ren_${Date.now()}_${++n}`,
  method,
  token,
  amount: EUR(amountMinor),
  description: 'eSIM 10 GB',
});

const rejected = async (promise: Promise<unknown>): Promise<ProviderRejectedError> => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderRejectedError);
  return err as ProviderRejectedError;
};

describe('psp sandbox: payments over HTTP', () => {
  let sandbox: PspSandbox;
  beforeAll(async () => {
    sandbox = await start();
  });
  const after: PspSandbox[] = [];
  afterAll(async () => {
    for (const s of after) await cleanup(s);
    await cleanup(sandbox);
  });

  it('answers /metrics and its probes without the API key when on its own, and not inside the API', async () => {
    expect((await fetch(`${sandbox.url}/metrics`)).status).toBe(404);
    const alone = await start({ operatorsEndpoints: true });
    after.push(alone);
    const metrics = await fetch(`${alone.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE ledger_commands_total counter');
    for (const probe of ['live', 'ready'])
      expect(await (await fetch(`${alone.url}/health/${probe}`)).json()).toMatchObject({ status: 'ok' });
  });

  it('captures, declines and refuses cards by token', async () => {
    const client = clientFor(sandbox);
    const ok = await client.createPayment(request('card', 'tok_visa'));
    expect(ok).toMatchObject({ status: 'captured', method: 'card', amount: EUR(999), refundedMinor: 0, refunds: [], disputes: [] });
    expect(ok.id).toMatch(/^pay_[0-9a-f]{16}$/);
    expect(ok.capturedAt).toEqual(expect.any(String));
    expect(await client.createPayment(request('card', 'tok_decline_1'))).toMatchObject({
      status: 'failed',
      failureReason: 'card_declined',
    });
    expect(await client.createPayment(request('card', 'tok_insufficient'))).toMatchObject({
      status: 'failed',
      failureReason: 'insufficient_funds',
    });
  });

  it('walks 3-D Secure through its challenge page', async () => {
    const client = clientFor(sandbox);
    const p = await client.createPayment(request('card', 'tok_3ds_required'));
    expect(p).toMatchObject({ status: 'requires_action', nextAction: { type: 'three_d_secure', url: `${sandbox.url}/pay/3ds/${p.id}` } });
    const page = await call(p.nextAction!.url, 'GET');
    expect(page.status).toBe(200);
    expect(page.text).toContain('€9.99');
    expect(page.text).toContain(`action="/pay/3ds/${p.id}/complete"`);
    expect((await call(`${p.nextAction!.url}/complete`, 'POST', undefined, true)).text).toContain('return to the shop');
    expect(await client.findPayment(p.reference)).toMatchObject({ id: p.id, status: 'captured' });
    expect((await call(`${p.nextAction!.url}/complete`, 'POST', undefined, true)).status).toBe(200);
    expect((await call(`${p.nextAction!.url}/fail`, 'POST', undefined, true)).status).toBe(409);

    const failing = await client.createPayment(request('card', 'tok_3ds_x'));
    expect((await call(`${failing.nextAction!.url}/fail`, 'POST', undefined, true)).status).toBe(200);
    expect(await client.findPayment(failing.reference)).toMatchObject({ status: 'failed', failureReason: 'authentication_failed' });
  });

  it('waits for the PayPal payer, then captures only on the merchant’s request', async () => {
    const client = clientFor(sandbox);
    const p = await client.createPayment(request('paypal', 'tok_pp', 1250));
    expect(p).toMatchObject({ status: 'requires_action', nextAction: { type: 'approve', url: `${sandbox.url}/pay/paypal/${p.id}` } });
    expect(await rejected(client.capturePayment(p.id))).toMatchObject({ status: 409, code: 'not_approved' });
    const page = await call(p.nextAction!.url, 'GET');
    expect(page.text).toContain('€12.50');
    expect(page.text).toContain(`action="/pay/paypal/${p.id}/approve"`);
    expect((await call(`${p.nextAction!.url}/approve`, 'POST', undefined, true)).status).toBe(200);
    expect(await client.findPayment(p.reference)).toMatchObject({ status: 'approved' });
    const captured = await client.capturePayment(p.id);
    expect(captured).toMatchObject({ status: 'captured', capturedAt: expect.any(String) });
    expect(await client.capturePayment(p.id)).toEqual(captured);
    expect((await call(`${sandbox.url}/sandbox/stats`, 'GET')).json.byReference[p.reference]).toBe(1);
    expect(await rejected(client.cancelPayment(p.id))).toMatchObject({ status: 409 });
  });

  it('lets the payer cancel, the merchant cancel, and PayPal decline', async () => {
    const client = clientFor(sandbox);
    const byPayer = await client.createPayment(request('paypal', 'tok_pp'));
    expect((await call(`${byPayer.nextAction!.url}/cancel`, 'POST', undefined, true)).status).toBe(200);
    expect(await client.findPayment(byPayer.reference)).toMatchObject({ status: 'failed', failureReason: 'paypal_canceled' });
    expect((await call(`${byPayer.nextAction!.url}/approve`, 'POST', undefined, true)).status).toBe(409);

    const byMerchant = await client.createPayment(request('paypal', 'tok_pp'));
    expect(await client.cancelPayment(byMerchant.id)).toMatchObject({ status: 'canceled', failureReason: 'canceled' });
    expect(await client.cancelPayment(byMerchant.id)).toMatchObject({ status: 'canceled' });
    expect((await call(`${byMerchant.nextAction!.url}/approve`, 'POST', undefined, true)).status).toBe(409);

    const declined = await client.createPayment(request('paypal', 'tok_decline'));
    await call(`${declined.nextAction!.url}/approve`, 'POST', undefined, true);
    expect(await client.capturePayment(declined.id)).toMatchObject({ status: 'failed', failureReason: 'paypal_declined' });
  });

  it('charges Apple Pay synchronously', async () => {
    const client = clientFor(sandbox);
    expect(await client.createPayment(request('apple_pay', 'tok_apple'))).toMatchObject({ status: 'captured' });
    expect(await client.createPayment(request('apple_pay', 'tok_decline'))).toMatchObject({
      status: 'failed',
      failureReason: 'apple_pay_declined',
    });
  });

  it('refunds partially, once per reference, and never more than was paid', async () => {
    const client = clientFor(sandbox);
    const p = await client.createPayment(request('card', 'tok_visa', 1000));
    const once = await client.refundPayment(p.id, { reference: 'rf_1', amountMinor: 400 });
    expect(once).toMatchObject({ status: 'captured', refundedMinor: 400, refunds: [{ reference: 'rf_1', amountMinor: 400 }] });
    expect(once.refunds[0]!.id).toMatch(/^re_/);
    expect(await client.refundPayment(p.id, { reference: 'rf_1', amountMinor: 400 })).toEqual(once);
    expect(await rejected(client.refundPayment(p.id, { reference: 'rf_2', amountMinor: 601 }))).toMatchObject({
      status: 409,
      code: 'refund_exceeds_payment',
    });
    expect(await client.refundPayment(p.id, { reference: 'rf_3', amountMinor: 600 })).toMatchObject({ refundedMinor: 1000 });
    const failed = await client.createPayment(request('card', 'tok_decline'));
    expect(await rejected(client.refundPayment(failed.id, { reference: 'rf_4', amountMinor: 1 }))).toMatchObject({ status: 409 });
  });

  it('opens a chargeback and loses it', async () => {
    const client = clientFor(sandbox);
    const p = await client.createPayment(request('card', 'tok_visa'));
    const opened = await call(`${sandbox.url}/sandbox/payments/${p.id}/disputes`, 'POST', { amountMinor: 500 });
    expect(opened.status).toBe(201);
    expect(opened.json.dispute).toMatchObject({ status: 'open', amountMinor: 500 });
    const lost = await call(`${sandbox.url}/sandbox/disputes/${opened.json.dispute.id}/resolve`, 'POST', { outcome: 'lost' });
    expect(lost.json.dispute).toMatchObject({ status: 'lost', resolvedAt: expect.any(String) });
    expect((await client.findPayment(p.reference))!.disputes).toEqual([lost.json.dispute]);
    expect((await call(`${sandbox.url}/sandbox/disputes/${opened.json.dispute.id}/resolve`, 'POST', { outcome: 'won' })).status).toBe(409);
  });

  it('refuses a wrong key, reused references and bad bodies with 4xx JSON', async () => {
    const client = clientFor(sandbox);
    expect(await rejected(clientFor(sandbox, 5_000, 'sk_wrong').findPayment('x'))).toMatchObject({ status: 401, code: 'unauthorized' });
    const r = request('card', 'tok_visa');
    await client.createPayment(r);
    expect(await rejected(client.createPayment({ ...r, amount: EUR(1000) }))).toMatchObject({
      status: 409,
      code: 'idempotency_key_reused',
    });
    expect(await client.findPayment('never-seen')).toBeNull();
    const post = (body: string, key = 'k') =>
      fetch(`${sandbox.url}/v1/payments`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_key', 'content-type': 'application/json', 'idempotency-key': key },
        body,
      });
    const good = { reference: 'k', method: 'card', token: 't', amount: EUR(1) };
    for (const body of [
      '{',
      '[]',
      '{"__proto__":{"x":1}}',
      JSON.stringify({ ...good, amount: EUR(1.5) }),
      JSON.stringify({ ...good, method: 'cash' }),
    ]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    expect(await (await post(JSON.stringify(good), 'other')).json()).toMatchObject({ error: { code: 'idempotency_key_mismatch' } });
    expect((await call(`${sandbox.url}/v1/settlements/2025-02-30`, 'GET')).status).toBe(400);
    expect((await call(`${sandbox.url}/pay/paypal/pay_nope`, 'GET')).status).toBe(404);
  });
});

describe('psp sandbox: journal', () => {
  it('answers the same payment for the same reference after a restart, without a second capture', async () => {
    const tmp = tempDir();
    let sandbox = await start({ dataDir: tmp.dir });
    try {
      const r = request('card', 'tok_visa');
      const first = await clientFor(sandbox).createPayment(r);
      await sandbox.close();
      sandbox = await start({ dataDir: tmp.dir });
      expect(await clientFor(sandbox).createPayment(r)).toEqual(first);
      expect((await call(`${sandbox.url}/sandbox/stats`, 'GET')).json).toEqual({ captures: 1, byReference: { [r.reference]: 1 } });
    } finally {
      await cleanup(sandbox, tmp);
    }
  });
});
