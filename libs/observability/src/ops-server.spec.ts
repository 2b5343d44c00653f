import { startOpsServer, terminusBody } from './ops-server';
import { commandsTotal } from './metrics';

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
});
