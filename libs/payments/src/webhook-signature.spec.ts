import { createHmac } from 'node:crypto';
import { WebhookSignatureError, signWebhook, verifyWebhook } from './webhook-signature';

const SECRET = 'whsec_test';
const NOW = 1_750_000_000;
const body = JSON.stringify({ id: 'evt_1', type: 'payment.captured', created: NOW, data: { payment: { id: 'pay_1' } } });

const reasonOf = (run: () => unknown): string => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookSignatureError);
    return (err as WebhookSignatureError).reason;
  }
  throw new Error('expected verifyWebhook to throw');
};

describe('webhook signatures', () => {
  it('accepts what signWebhook signed, as a string or as bytes', () => {
    const header = signWebhook(body, SECRET, NOW);
    expect(header).toMatch(/^t=1750000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(body, header, SECRET, NOW).id).toBe('evt_1');
    expect(verifyWebhook(Buffer.from(body), header, SECRET, NOW + 299).type).toBe('payment.captured');
  });

  it('signs "<t>.<body>" with HMAC-SHA256, so another implementation can check it', () => {
    const hex = createHmac('sha256', SECRET).update(`${NOW}.${body}`).digest('hex');
    expect(signWebhook(body, SECRET, NOW)).toBe(`t=${NOW},v1=${hex}`);
  });

  it('accepts any of several v1 entries (secret rotation) and ignores other schemes', () => {
    const old = signWebhook(body, 'whsec_old', NOW).split('v1=')[1];
    const current = signWebhook(body, SECRET, NOW).split('v1=')[1];
    expect(verifyWebhook(body, `t=${NOW}, v1=${old}, v0=abc, v1=${current}`, SECRET, NOW).id).toBe('evt_1');
  });

  it('rejects a signature made with another secret', () => {
    expect(reasonOf(() => verifyWebhook(body, signWebhook(body, 'whsec_forged', NOW), SECRET, NOW))).toBe('mismatch');
  });

  it('rejects a timestamp 6 minutes old, and one 6 minutes ahead', () => {
    expect(reasonOf(() => verifyWebhook(body, signWebhook(body, SECRET, NOW - 360), SECRET, NOW))).toBe('stale');
    expect(reasonOf(() => verifyWebhook(body, signWebhook(body, SECRET, NOW + 360), SECRET, NOW))).toBe('stale');
    expect(verifyWebhook(body, signWebhook(body, SECRET, NOW - 360), SECRET, NOW, 400).id).toBe('evt_1');
  });

  it('rejects a missing or malformed header', () => {
    expect(reasonOf(() => verifyWebhook(body, undefined, SECRET, NOW))).toBe('missing');
    expect(reasonOf(() => verifyWebhook(body, '', SECRET, NOW))).toBe('missing');
    const v1 = signWebhook(body, SECRET, NOW).split(',')[1];
    for (const header of ['garbage', `t=abc,${v1}`, `${v1}`, `t=${NOW}`, `t=${NOW},v1=zz`, `t=${NOW},t=${NOW},${v1}`]) {
      expect(reasonOf(() => verifyWebhook(body, header, SECRET, NOW))).toBe('malformed');
    }
  });

  it('rejects a tampered body', () => {
    const header = signWebhook(body, SECRET, NOW);
    expect(reasonOf(() => verifyWebhook(body.replace('evt_1', 'evt_2'), header, SECRET, NOW))).toBe('mismatch');
  });

  it('rejects a correctly signed body that is not an event', () => {
    for (const raw of ['not json', '[1]', 'null', JSON.stringify({ id: 1, type: 'x' }), JSON.stringify({ id: 'evt_1' })]) {
      expect(reasonOf(() => verifyWebhook(raw, signWebhook(raw, SECRET, NOW), SECRET, NOW))).toBe('body');
    }
  });
});
