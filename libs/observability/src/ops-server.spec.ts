import { startOpsServer, terminusBody } from './ops-server';
import { commandsTotal, metricsText, scrapedGauge, trackConsumerLag } from './metrics';

describe('the operators port of a process', () => {
  it('is ready only when every check is up, in terminus shape, and a hanging check is down', async () => {
    const ok = await terminusBody({ store: async () => ({ up: true }) });
    expect(ok).toEqual({
      ok: true,
      body: { status: 'ok', info: { store: { status: 'up' } }, error: {}, details: { store: { status: 'up' } } },
    });
    const hanging = await terminusBody({ store: async () => ({ up: true }), broker: () => new Promise(() => undefined) });
    expect(hanging.ok).toBe(false);
    expect(hanging.body).toMatchObject({
      status: 'error',
      info: { store: { status: 'up' } },
      error: { broker: { status: 'down', message: 'timed out' } },
    });
    const failing = await terminusBody({ store: async () => Promise.reject(new Error('connection refused')) });
    expect(failing.body).toMatchObject({ error: { store: { status: 'down', message: 'connection refused' } } });
  }, 10_000);

  it('serves /metrics, /health/live and /health/ready', async () => {
    let up = false;
    const ops = await startOpsServer({ port: 0, host: '127.0.0.1', ready: () => ({ startup: async () => ({ up }) }) });
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${ops.port}${path}`);
      expect((await get('/health/live')).status).toBe(200);
      expect((await get('/health/ready')).status).toBe(503);
      up = true;
      expect((await get('/health/ready')).status).toBe(200);
      commandsTotal.inc({ type: 'Probe', outcome: 'ok' });
      expect(await (await get('/metrics')).text()).toMatch(/^ledger_commands_total\{type="Probe",outcome="ok"\} 1$/m);
      expect((await get('/elsewhere')).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${ops.port}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await ops.close();
    }
  });

  it('shows a gauge whose read failed as NaN, never a reassuring 0, and counts the failure', async () => {
    scrapedGauge('test_breaks', 'breaks', async () => Promise.reject(new Error('database down')));
    const text = await metricsText();
    // prom-client writes "Nan"; Prometheus parses NaN in any case.
    expect(text).toMatch(/^test_breaks nan$/im);
    // The counter is collected beside the gauge, so it shows the failure from the next scrape on.
    expect(await metricsText()).toMatch(/^ledger_metric_read_errors_total\{metric="test_breaks"\} 1$/m);
  });

  it("reports each tracked consumer's lag, in events and seconds, until it is untracked", async () => {
    const untrack = trackConsumerLag('test-consumer', async () => ({
      events: 7,
      oldestRecordedAt: new Date(Date.now() - 30_000).toISOString(),
    }));
    const text = await metricsText();
    expect(text).toMatch(/^ledger_consumer_lag_events\{consumer="test-consumer"\} 7$/m);
    expect(Number(/^ledger_consumer_lag_seconds\{consumer="test-consumer"\} ([\d.]+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(30);
    untrack();
  });
});
