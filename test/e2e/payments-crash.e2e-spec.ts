import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deterministicId } from '@ledger/event-store';
import { startPspSandbox } from '../../apps/psp-sandbox/src/psp-sandbox';
import { freePort, startBuiltApi, stopProcess } from './built-api';
import { bearer, fetchSender, signUp } from './sign-up';

const CARDS = 16;
const KEYS = { PSP_API_KEY: 'sk_crash', PSP_WEBHOOK_SECRET: 'whsec_crash' };
const FINAL = ['completed', 'failed', 'abandoned'];

/**
 * The measurement, as a test: kill -9 of the API while renewals are at the provider, start
 * it again, and no client retries. Every renewal must end on its own within the configured bound,
 * no card may stay blocked, and the provider must show at most one capture per payment, one for
 * each completed renewal.
 */
describe('kill -9 of the API in the middle of renewals', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-pay-crash-'));
  const pspDir = mkdtempSync(join(tmpdir(), 'psp-crash-'));
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(pspDir, { recursive: true, force: true });
  });

  it('finishes every renewal after the restart, and the provider captured each once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // A slow provider, so the kill lands while charges are on the wire.
    const sandbox = await startPspSandbox({
      port: 0,
      dataDir: pspDir,
      apiKey: KEYS.PSP_API_KEY,
      webhookSecret: KEYS.PSP_WEBHOOK_SECRET,
      webhookUrl: `${base}/v1/webhooks/psp`,
      latencyMs: 400,
      webhookDuplicateRate: 0.3,
      webhookReorderMs: 200,
      seed: 11,
    });
    const env = { ...KEYS, PSP_URL: sandbox.url, PAYMENT_CONFIRM_MS: '1500', PAYMENT_ABANDON_MS: '5000', RENEWAL_ANSWER_MS: '8000' };
    try {
      let api = await startBuiltApi(dataDir, port, env);
      const send = fetchSender(base);
      const cards: { id: string; token: string; key: string; method: string }[] = [];
      for (let i = 0; i < CARDS; i++) {
        const owner = await signUp(send);
        const card = await send(
          'POST',
          '/v1/subscriptions',
          { accountId: owner.accountId, iccid: `8949020000${String(900000000 + i)}`, region: 'EU' },
          bearer(owner.accessToken),
        );
        expect(card.status).toBe(201);
        cards.push({ id: card.body.subscriptionId, token: owner.accessToken, key: `crash-${i}`, method: i % 4 === 3 ? 'paypal' : 'card' });
      }
      let answered = 0;
      const requests = cards.map((c) =>
        send(
          'POST',
          `/v1/subscriptions/${c.id}/renewals`,
          { planId: 'eu-daily-1gb', paymentMethod: { type: c.method, token: 'tok_visa' } },
          {
            ...bearer(c.token),
            'Idempotency-Key': c.key,
          },
        ).then(
          () => answered++,
          () => undefined,
        ),
      );
      await new Promise((r) => setTimeout(r, 700));
      await stopProcess(api, 'SIGKILL');
      await Promise.all(requests);
      expect(answered).toBeLessThan(CARDS); // the kill did land mid-renewal

      api = await startBuiltApi(dataDir, port, env);
      const renewalOf = (c: (typeof cards)[number]) => deterministicId('renewal', c.id, c.key);
      const statusOf = async (c: (typeof cards)[number]) =>
        (await send('GET', `/v1/subscriptions/${c.id}/renewals/${renewalOf(c)}`, undefined, bearer(c.token))).body;
      const deadline = Date.now() + 30_000;
      let views = await Promise.all(cards.map(statusOf));
      while (Date.now() < deadline && views.some((v) => v.status === 'pending')) {
        await new Promise((r) => setTimeout(r, 250));
        views = await Promise.all(cards.map(statusOf));
      }
      const stats = (await (
        await fetch(`${sandbox.url}/sandbox/stats`, { headers: { authorization: `Bearer ${KEYS.PSP_API_KEY}` } })
      ).json()) as {
        byReference: Record<string, number>;
      };
      for (const [i, c] of cards.entries()) {
        const view = views[i];
        const card = (await send('GET', `/v1/subscriptions/${c.id}`, undefined, bearer(c.token))).body;
        expect({ card: i, pending: card.pendingRenewalId }).toEqual({ card: i, pending: null });
        // A request the kill cut before anything was stored left no renewal; every other one ended.
        if (view.code === 'RENEWAL_NOT_FOUND') continue;
        expect({ card: i, final: FINAL.includes(view.status) }).toEqual({ card: i, final: true });
        const reference = deterministicId('payment', renewalOf(c));
        expect({ card: i, captures: stats.byReference[reference] ?? 0 }).toEqual({
          card: i,
          captures: view.status === 'completed' ? 1 : 0,
        });
        const events = (await send('GET', `/v1/subscriptions/${c.id}/events`, undefined, bearer(c.token))).body.events as {
          type: string;
        }[];
        expect(events.filter((e) => e.type === 'PaymentCaptured')).toHaveLength(view.status === 'completed' ? 1 : 0);
      }
      // More renewals ended well than were answered before the kill: the restarted process finished them.
      expect(views.filter((v) => v.status === 'completed').length).toBeGreaterThan(answered);
      await stopProcess(api);
    } finally {
      await sandbox.close();
    }
  }, 120_000);
});
