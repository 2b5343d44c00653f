import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { inSpan, metricsText } from '@ledger/observability';
import { MemoryEventStore } from '../memory/memory-event-store';
import { CheckedEventStore } from '../port/checked-event-store';
import { verifyChain } from '../audit/hash-chain';
import { handleCommand } from './handle-command';
import { StreamStates } from './stream-states';

const adder = {
  initialState: () => 0,
  evolve: (n: number, e: { type: string; data: unknown }) => n + (e.data as { by: number }).by,
  decide: (c: { by: number }) => [{ type: 'Added', data: { by: c.by } }],
};
const meta = () => ({ commandId: randomUUID(), correlationId: 'c', causationId: 'c', actor: 'test', idempotencyKey: randomUUID() });

describe('a command under a trace', () => {
  const spans = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it("stores the command's traceparent in its events, inside the hash chain, and spans the append", async () => {
    const store = new CheckedEventStore(new MemoryEventStore(), () => []);
    const states = new StreamStates(store);
    const traceId = await inSpan('command Add', {}, async (span) => {
      await handleCommand(states, 'adder-1', adder, { by: 2 }, { metadata: meta() });
      return span.spanContext().traceId;
    });
    const [event] = await store.readStream('adder-1');
    expect(event.metadata.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(verifyChain(await store.readStream('adder-1')).broken).toBeNull();
    const append = spans.getFinishedSpans().find((s) => s.name === 'ledger.append')!;
    expect(append.spanContext().traceId).toBe(traceId);
    expect(append.attributes).toMatchObject({ 'ledger.stream.category': 'adder', 'ledger.events': 1 });
  });

  it('counts a lost revision race as a conflict and its second decision as a retry, by stream category', async () => {
    const store = new CheckedEventStore(new MemoryEventStore(), () => []);
    const [a, b] = [new StreamStates(store), new StreamStates(store)];
    await handleCommand(a, 'racer-1', adder, { by: 1 }, { metadata: meta() });
    await handleCommand(b, 'racer-1', adder, { by: 1 }, { metadata: meta() });
    await handleCommand(a, 'racer-1', adder, { by: 1 }, { metadata: meta() }); // decided on a stale cached state
    const text = await metricsText();
    expect(text).toMatch(/^ledger_concurrency_conflicts_total\{category="racer"\} 1$/m);
    expect(text).toMatch(/^ledger_command_retries_total\{category="racer"\} 1$/m);
    expect(text).toMatch(/^ledger_events_appended_total\{type="Added"\} 4$/m);
  });
});
