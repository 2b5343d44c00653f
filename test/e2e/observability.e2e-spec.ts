import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ProvisionedService, createTestDatabase, describeWithService, provisionKafka, provisionPostgres } from '@ledger/testing';
import { freePort, startBuilt, stopProcess } from './built-api';
import { bearer, fetchSender, openOwnCard, signUp } from './sign-up';
import { OtlpReceiver, ReceivedSpan } from './otlp-receiver';
import { kafkaFor, uniqueTopic, waitUntil } from '../kafka/kafka-kit';
import { SampleConsumer } from '../kafka/sample-consumer';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;

/** One series' value from a Prometheus text exposition; 0 when the series is not there yet. */
const sample = (text: string, name: string, labels: Record<string, string> = {}): number => {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) && want.every((w) => l.includes(w))) || (want.length === 0 && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

const scrape = async (base: string): Promise<string> => {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

/**
 * The whole system as operators run it (API, projector and publisher as their own built processes
 * on PostgreSQL and Kafka), exporting traces to an OTLP receiver: a renewal is one trace from the
 * HTTP request to the Kafka send, and every process's /metrics counts it.
 */
describeWithService('operations: metrics and traces across the processes', provisionKafka, (brokers) => {
  describeWithService('on PostgreSQL', provisionPostgres, (pgUrl) => {
    let receiver: OtlpReceiver;
    let db: ProvisionedService;
    let dataDir: string;
    const children: ChildProcess[] = [];
    const topic = uniqueTopic('otel');
    let api: string;
    /** The API's operators' port (METRICS_PORT): its /metrics is not on the public one. */
    let apiOps: string;
    let projector: string;
    let publisher: string;
    let consumer: SampleConsumer;

    beforeAll(async () => {
      receiver = await OtlpReceiver.start();
      db = await createTestDatabase(pgUrl(), 'ledger_otel');
      dataDir = mkdtempSync(join(tmpdir(), 'ledger-otel-'));
      const [apiPort, metricsPort, projectorPort, publisherPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
      [api, apiOps, projector, publisher] = [apiPort, metricsPort, projectorPort, publisherPort].map((p) => `http://127.0.0.1:${p}`);
      const common = {
        EVENT_STORE_URL: db.url,
        DATABASE_URL: db.url,
        LEDGER_DATA_DIR: dataDir,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      };
      children.push(
        await startBuilt(
          'dist/apps/api/src/main.js',
          { ...common, PORT: String(apiPort), METRICS_PORT: String(metricsPort), PSP_PORT: '0', LEDGER_PROJECTOR: 'off' },
          `${api}/health/ready`,
        ),
      );
      children.push(
        await startBuilt(
          'dist/apps/projector/src/main.js',
          { ...common, PROJECTOR_PORT: String(projectorPort) },
          `${projector}/health/ready`,
        ),
      );
      children.push(
        await startBuilt(
          'dist/apps/publisher/src/main.js',
          { ...common, KAFKA_BROKERS: brokers(), KAFKA_TOPIC: topic, PUBLISHER_PORT: String(publisherPort) },
          `${publisher}/health/ready`,
        ),
      );
      consumer = await SampleConsumer.start(kafkaFor(brokers()), topic);
    }, 120_000);

    afterAll(async () => {
      await consumer?.stop();
      for (const child of children.reverse()) await stopProcess(child);
      await receiver?.close();
      await db?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('one renewal is one trace, HTTP → command → append → projection → Kafka, and the counters move', async () => {
      const before = { api: await scrape(apiOps), publisher: await scrape(publisher) };
      const send = fetchSender(api);
      const owner = await signUp(send);
      const card = await openOwnCard(send, owner);
      expect(card.status).toBe(201);
      const subscriptionId = card.body.subscriptionId as string;

      // The client starts the trace (as a traced caller would), so this test knows its id.
      const traceId = randomBytes(16).toString('hex');
      const renewed = await send(
        'POST',
        `/v1/subscriptions/${subscriptionId}/renewals`,
        { planId: 'eu-monthly-10gb', paymentMethod: { type: 'card', token: 'tok_visa' } },
        {
          ...bearer(owner.accessToken),
          'Idempotency-Key': 'traced-renewal',
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
      );
      expect(renewed.body.status).toBe('completed');

      const names = (spans: ReceivedSpan[]) => spans.map((s) => `${s.service}: ${s.name}`);
      const has = (pred: (s: ReceivedSpan) => boolean) => receiver.trace(traceId).some(pred);
      const expected: [string, (s: ReceivedSpan) => boolean][] = [
        [
          'the API serving the request',
          (s) => s.service === 'ledger-api' && s.kind === SERVER && String(s.attributes['http.route'] ?? s.name).includes('renewals'),
        ],
        ['the command', (s) => s.service === 'ledger-api' && s.name === 'command RenewSubscription'],
        ['an append', (s) => s.service === 'ledger-api' && s.name === 'ledger.append'],
        ['a query to PostgreSQL', (s) => s.service === 'ledger-api' && s.name.startsWith('pg.query')],
        ['the call to the payment provider', (s) => s.service === 'ledger-api' && s.kind === CLIENT && /^POST/.test(s.name)],
        ['the projection of the capture', (s) => s.service === 'ledger-projector' && s.name === 'project PaymentCaptured'],
        ['the projection of the extension', (s) => s.service === 'ledger-projector' && s.name === 'project ValidityExtended'],
        [
          'the Kafka send of the capture',
          (s) => s.service === 'ledger-publisher' && s.kind === PRODUCER && s.attributes['ledger.event.type'] === 'PaymentCaptured',
        ],
      ];
      await waitUntil(() => expected.every(([, pred]) => has(pred)), 'every span of the renewal at the receiver', 30_000).catch((err) => {
        const missing = expected.filter(([, pred]) => !has(pred)).map(([what]) => what);
        throw new Error(
          `${(err as Error).message}: missing ${missing.join(', ')}; the trace holds ${JSON.stringify(names(receiver.trace(traceId)))}`,
        );
      });

      // The trace travels in the Kafka headers too, for the consumers downstream.
      await waitUntil(() => consumer.events.filter((m) => m.key === subscriptionId).length >= 4, 'the card events on the topic', 30_000);
      const capture = consumer.events.find((m) => m.key === subscriptionId && m.headers.ce_type === 'ledger.PaymentCaptured.v1')!;
      expect(capture.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(capture.headers.ce_traceparent).toBe(capture.headers.traceparent);

      const after = { api: await scrape(apiOps), publisher: await scrape(publisher), projector: await scrape(projector) };
      const moved = (text: { before: string; after: string }, name: string, labels: Record<string, string> = {}) =>
        sample(text.after, name, labels) - sample(text.before, name, labels);
      const apiText = { before: before.api, after: after.api };
      expect(moved(apiText, 'ledger_commands_total', { type: 'RenewSubscription', outcome: 'ok' })).toBe(1);
      expect(moved(apiText, 'ledger_payments_total', { method: 'card', outcome: 'captured' })).toBe(1);
      expect(
        moved(apiText, 'http_request_duration_seconds_count', { route: '/v1/subscriptions/:id/renewals', status_code: '201' }) +
          moved(apiText, 'http_request_duration_seconds_count', { route: '/v1/subscriptions/:id/renewals', status_code: '200' }),
      ).toBe(1);
      expect(moved(apiText, 'ledger_append_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThanOrEqual(3);
      expect(moved(apiText, 'ledger_events_appended_total', { type: 'PaymentCaptured' })).toBe(1);
      expect(sample(after.api, 'ledger_consumer_lag_events', { consumer: 'payment-process' })).toBeGreaterThanOrEqual(0);
      expect(after.api).toMatch(/^ledger_consumer_lag_seconds\{consumer="payment-process",app="api"\} [\d.e+-]+$/m);
      expect(
        moved({ before: before.publisher, after: after.publisher }, 'ledger_consumer_events_total', { consumer: `publisher:${topic}` }),
      ).toBeGreaterThanOrEqual(4);
      expect(sample(after.projector, 'ledger_consumer_events_total', { consumer: 'projections' })).toBeGreaterThanOrEqual(4);
      expect(after.projector).toMatch(/^ledger_consumer_lag_events\{consumer="projections",app="projector"\} \d+$/m);
      for (const text of Object.values(after)) expect(text).toMatch(/^process_cpu_seconds_total\{app="\w+"\} /m);
    }, 120_000);

    it("answers the probes of every process in one shape, and /metrics only on the operators' ports", async () => {
      expect((await fetch(`${api}/metrics`)).status).toBe(404);
      for (const base of [api, apiOps, projector, publisher]) {
        const live = await fetch(`${base}/health/live`);
        expect(live.status).toBe(200);
        expect(await live.json()).toMatchObject({ status: 'ok' });
        const ready = await fetch(`${base}/health/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ status: 'ok', error: {} });
      }
    });
  });
});
