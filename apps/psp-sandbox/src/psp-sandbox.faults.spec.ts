import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CreatePaymentRequest, ProviderUnavailableError } from '@ledger/payments';
import { JOURNAL_FILE } from './journal';
import { JournalRecord } from './model';
import { PspSandbox } from './psp-sandbox';
import { Receiver, call, cleanup, clientFor, start, startReceiver, tempDir, waitFor } from './spec-support';

let n = 0;
const request = (method: CreatePaymentRequest['method'], token: string, amountMinor = 999): CreatePaymentRequest => ({
  reference: `ren_f_${Date.now()}_${++n}`,
  method,
  token,
  amount: { amountMinor, currency: 'EUR' },
});

const journal = (dir: string): JournalRecord[] =>
  readFileSync(join(dir, JOURNAL_FILE), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JournalRecord);
const journalledEventIds = (dir: string): string[] => journal(dir).flatMap((r) => (r.k === 'put' ? [r.event.id] : []));

const unavailable = async (promise: Promise<unknown>): Promise<void> => {
  await expect(promise).rejects.toBeInstanceOf(ProviderUnavailableError);
};

describe('psp sandbox: webhooks', () => {
  let sandbox: PspSandbox | undefined;
  let receiver: Receiver | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(async () => {
    await cleanup(sandbox, receiver, tmp);
    sandbox = receiver = tmp = undefined;
  });

  it('delivers every journalled event, signed, duplicated on purpose, and records the delivery', async () => {
    tmp = tempDir();
    receiver = await startReceiver();
    sandbox = await start({ dataDir: tmp.dir, webhookUrl: receiver.url, webhookDuplicateRate: 1, webhookReorderMs: 50 });
    const client = clientFor(sandbox);
    const card = await client.createPayment(request('card', 'tok_visa'));
    await client.refundPayment(card.id, { reference: `rf_${card.id}`, amountMinor: 100 });
    const pp = await client.createPayment(request('paypal', 'tok_pp'));
    await call(`${pp.nextAction!.url}/approve`, 'POST', undefined, true);
    await client.capturePayment(pp.id);

    const ids = journalledEventIds(tmp.dir);
    expect(ids).toHaveLength(5);
    const count = (id: string) => receiver!.events.filter((e) => e.id === id).length;
    await waitFor(() => ids.every((id) => count(id) >= 2), 'every event twice');
    expect(receiver.refused).toEqual([]);
    const types = receiver.events.filter((e) => e.data.payment.id === pp.id).map((e) => e.type);
    expect(new Set(types)).toEqual(new Set(['payment.requires_action', 'payment.approved', 'payment.captured']));
    expect(receiver.events.find((e) => e.type === 'payment.refunded')!.data.refund).toMatchObject({ amountMinor: 100 });
    await waitFor(() => journal(tmp!.dir).filter((r) => r.k === 'delivered').length === 5, 'deliveries journalled');
  });

  it('retries a failing receiver with backoff until it answers 2xx', async () => {
    receiver = await startReceiver(3);
    sandbox = await start({ webhookUrl: receiver.url });
    const p = await clientFor(sandbox).createPayment(request('card', 'tok_visa'));
    await waitFor(() => receiver!.events.some((e) => e.data.payment.id === p.id), 'the delivery after three 500s');
    expect(receiver.refused).toEqual([500, 500, 500]);
    expect(receiver.events).toHaveLength(1);
  });

  it('resends after a restart what was never delivered', async () => {
    tmp = tempDir();
    receiver = await startReceiver();
    sandbox = await start({ dataDir: tmp.dir, webhookUrl: receiver.url });
    sandbox.setFaults({ webhooksPaused: true });
    const p = await clientFor(sandbox).createPayment(request('card', 'tok_visa'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.events).toEqual([]);
    await sandbox.close();
    sandbox = await start({ dataDir: tmp.dir, webhookUrl: receiver.url });
    await waitFor(() => receiver!.events.some((e) => e.type === 'payment.captured' && e.data.payment.id === p.id), 'the resent event');
  });
});

describe('psp sandbox: faults, journal and settlement', () => {
  let sandbox: PspSandbox | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(async () => {
    await cleanup(sandbox, tmp);
    sandbox = tmp = undefined;
  });

  it('failNext answers 503 without doing the work', async () => {
    sandbox = await start();
    const client = clientFor(sandbox);
    const r = request('card', 'tok_visa');
    expect((await call(`${sandbox.url}/sandbox/faults`, 'PUT', { failNext: 1 })).json).toMatchObject({ failNext: 1 });
    await unavailable(client.createPayment(r));
    expect(await client.findPayment(r.reference)).toBeNull();
    expect(await client.createPayment(r)).toMatchObject({ status: 'captured' });
    expect((await call(`${sandbox.url}/sandbox/faults`, 'PUT', { failNext: -1 })).status).toBe(400);
  });

  it('hangNext does the work but never answers; the client times out and finds the payment', async () => {
    sandbox = await start();
    const r = request('card', 'tok_visa');
    sandbox.setFaults({ hangNext: 1 });
    await unavailable(clientFor(sandbox, 300).createPayment(r));
    expect(await clientFor(sandbox).findPayment(r.reference)).toMatchObject({ reference: r.reference, status: 'captured' });
  });

  it('latency delays answers past a client timeout', async () => {
    sandbox = await start();
    sandbox.setFaults({ latencyMs: 400 });
    await unavailable(clientFor(sandbox, 150).findPayment('x'));
    sandbox.setFaults({ latencyMs: 0 });
    expect(await clientFor(sandbox, 150).findPayment('x')).toBeNull();
  });

  it('ignores a torn last journal line and appends after it', async () => {
    tmp = tempDir();
    sandbox = await start({ dataDir: tmp.dir });
    const first = await clientFor(sandbox).createPayment(request('card', 'tok_visa'));
    await sandbox.close();
    appendFileSync(join(tmp.dir, JOURNAL_FILE), '{"k":"put","rec":{"payme');
    sandbox = await start({ dataDir: tmp.dir });
    const second = await clientFor(sandbox).createPayment(request('card', 'tok_visa'));
    await sandbox.close();
    sandbox = await start({ dataDir: tmp.dir });
    expect(await clientFor(sandbox).findPayment(first.reference)).toEqual(first);
    expect(await clientFor(sandbox).findPayment(second.reference)).toEqual(second);
  });

  it('reports the day’s charges with fees, refunds and lost chargebacks as CSV', async () => {
    sandbox = await start();
    const client = clientFor(sandbox);
    const card = await client.createPayment(request('card', 'tok_visa', 1250));
    const pp = await client.createPayment(request('paypal', 'tok_pp', 1250));
    await call(`${pp.nextAction!.url}/approve`, 'POST', undefined, true);
    await client.capturePayment(pp.id);
    await client.refundPayment(card.id, { reference: `rf_${card.id}`, amountMinor: 250 });
    const dispute = (await call(`${sandbox.url}/sandbox/payments/${pp.id}/disputes`, 'POST', {})).json.dispute;
    await call(`${sandbox.url}/sandbox/disputes/${dispute.id}/resolve`, 'POST', { outcome: 'lost' });
    const today = card.capturedAt!.slice(0, 10);

    const response = await fetch(`${sandbox.url}/v1/settlements/${today}`, { headers: { authorization: 'Bearer sk_test_key' } });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await response.text();
    expect(
      csv.startsWith('payout_id,provider_payment_id,reference,type,method,currency,gross_minor,fee_minor,net_minor,occurred_at\r\n'),
    ).toBe(true);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const pick = (r: Record<string, string>) => [r.provider_payment_id, r.type, r.method, r.gross_minor, r.fee_minor, r.net_minor];
    expect(rows.map(pick)).toEqual([
      [card.id, 'charge', 'card', '1250', '43', '1207'], // 1.4 % of 1250 = 17.5 → 18, + 25
      [pp.id, 'charge', 'paypal', '1250', '71', '1179'], // 2.9 % of 1250 = 36.25 → 36, + 35
      [card.id, 'refund', 'card', '-250', '0', '-250'],
      [pp.id, 'chargeback', 'paypal', '-1250', '0', '-1250'],
    ]);
    expect(new Set(rows.map((r) => r.payout_id))).toEqual(new Set([`po_${today}_EUR`]));
    const empty = await call(`${sandbox.url}/v1/settlements/2001-01-01`, 'GET');
    expect(empty.text.split('\r\n').filter((l) => l !== '')).toHaveLength(1);
  });
});
