import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ConfigError } from '@ledger/config';
import { createLogger, logSettings } from './logging';

const ANSI = /\u001b\[/;

/** A stdout stand-in that keeps what was written; `isTTY` as a terminal or a pipe would say. */
const capture = (isTTY = false): { stream: Writable & { isTTY: boolean }; text: () => string; lines: () => Record<string, unknown>[] } => {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return {
    stream,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
};

describe('the process logger', () => {
  it('writes one JSON object per line with app, pid, an ISO time and the level by name', () => {
    const out = capture();
    createLogger('projector', { env: {}, stream: out.stream }).info('projecting');
    const [line] = out.lines();
    expect(line).toMatchObject({ app: 'projector', pid: process.pid, level: 'info', msg: 'projecting' });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('adds trace_id and span_id while a span is active', () => {
    // Registering sets the context manager that makes a span active; no processor, nothing exported.
    const provider = new NodeTracerProvider();
    provider.register();
    const tracer = trace.getTracer('spec');
    const out = capture();
    const log = createLogger('api', { env: {}, stream: out.stream });
    try {
      const span = tracer.startSpan('work');
      context.with(trace.setSpan(context.active(), span), () => log.info('inside'));
      span.end();
      log.info('outside');
      const [inside, outside] = out.lines();
      expect(inside).toMatchObject({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
      expect(outside).not.toHaveProperty('trace_id');
    } finally {
      trace.disable();
      context.disable();
    }
  });

  it('redacts credentials in a logged request or response', () => {
    const out = capture();
    createLogger('api', { env: {}, stream: out.stream }).info(
      {
        req: { headers: { authorization: 'Bearer eyJ.secret', cookie: 'refresh=secret', 'user-agent': 'curl' } },
        res: { headers: { 'set-cookie': 'refresh=secret' } },
      },
      'request completed',
    );
    expect(out.text()).not.toContain('secret');
    expect(out.lines()[0]).toMatchObject({ req: { headers: { authorization: '[redacted]', 'user-agent': 'curl' } } });
  });

  it('drops lines below LOG_LEVEL', () => {
    const out = capture();
    const log = createLogger('api', { env: { LOG_LEVEL: 'warn' }, stream: out.stream });
    log.info('routine');
    log.warn('odd');
    expect(out.lines().map((l) => l.msg)).toEqual(['odd']);
  });

  it('writes no colour codes to a pipe, even when asked for pretty lines', () => {
    const out = capture(false);
    createLogger('api', { env: { LOG_FORMAT: 'pretty' }, stream: out.stream }).error('boom');
    expect(out.text()).toContain('boom');
    expect(out.text()).not.toMatch(ANSI);
  });

  it('colours pretty lines on a terminal unless NO_COLOR is set', () => {
    const tty = capture(true);
    createLogger('api', { env: {}, stream: tty.stream }).error('boom');
    expect(tty.text()).toMatch(ANSI);
    const plain = capture(true);
    createLogger('api', { env: { NO_COLOR: '1' }, stream: plain.stream }).error('boom');
    expect(plain.text()).toContain('boom');
    expect(plain.text()).not.toMatch(ANSI);
  });

  it('is JSON on a pipe and pretty on a terminal when LOG_FORMAT is unset; LOG_FORMAT wins', () => {
    expect(logSettings({}, false).format).toBe('json');
    expect(logSettings({}, true).format).toBe('pretty');
    expect(logSettings({ LOG_FORMAT: 'json' }, true)).toEqual({ level: 'info', format: 'json', colour: false });
  });

  it('refuses an unknown level or format, naming the variable', () => {
    expect(() => logSettings({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => logSettings({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL/);
    expect(() => logSettings({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
