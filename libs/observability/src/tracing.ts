import { Context, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';

/**
 * The ledger's own spans (command, append, projection, Kafka send) and the W3C trace context they
 * carry across the log: a command's `traceparent` is stored in its events' metadata, so the
 * projection that applies them and the publisher that sends them continue the same trace later,
 * in another process. Without the SDK (tracing.start not called) every call here is a no-op.
 */
export const tracer = trace.getTracer('subscription-ledger');

/** The active span's `traceparent`, for an event's metadata; undefined when nothing is traced. */
export const currentTraceparent = (): string | undefined => {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
};

/** The context a stored `traceparent` names (or the root context when there is none or it is malformed). */
export const contextOf = (traceparent: unknown): Context =>
  typeof traceparent === 'string' ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;

/** Runs `work` in a span that ends with it; a throw marks the span as failed and goes on. */
export const inSpan = async <T>(
  name: string,
  attributes: Record<string, string | number | boolean | undefined>,
  work: (span: Span) => Promise<T>,
  options: { kind?: SpanKind; parent?: Context } = {},
): Promise<T> => {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: defined(attributes) },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
};

/**
 * A span for each event a consumer handled in one batch, in the trace of the command that wrote
 * it: from the batch's start to now. Events without a `traceparent` (written before tracing, or
 * by an untraced process) get none.
 */
export const spansForHandledEvents = (
  name: string,
  events: readonly { readonly type: string; readonly position: bigint; readonly metadata?: { readonly traceparent?: unknown } }[],
  startedAt: number,
  attributes: Record<string, string | number> = {},
  kind: SpanKind = SpanKind.CONSUMER,
): void => {
  for (const e of events) {
    if (typeof e.metadata?.traceparent !== 'string') continue;
    const span = tracer.startSpan(
      `${name} ${e.type}`,
      {
        kind,
        startTime: startedAt,
        attributes: { 'ledger.event.type': e.type, 'ledger.log.position': e.position.toString(), ...attributes },
      },
      contextOf(e.metadata.traceparent),
    );
    span.end();
  }
};

const defined = (a: Record<string, string | number | boolean | undefined>): Record<string, string | number | boolean> =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Record<string, string | number | boolean>;

/**
 * A Kafka send of one event, in the trace of the command that wrote it (the kafkajs instrumentation
 * would parent a batch's messages on whatever context is active, which in a publisher's loop is
 * none). The message's trace headers are the stored context (cloudEventHeaders), not this span's,
 * so a re-sent message is byte-identical; consumers' spans are siblings of this one.
 */
export const startSendSpan = (
  topic: string,
  event: { readonly type: string; readonly id: string; readonly metadata?: { readonly traceparent?: unknown } },
): Span =>
  tracer.startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.message.id': event.id,
        'ledger.event.type': event.type,
      },
    },
    contextOf(event.metadata?.traceparent),
  );

/** Ends spans together, failed when `err` is given. */
export const endSpans = (spans: readonly Span[], err?: unknown): void => {
  for (const span of spans) {
    if (err) span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    span.end();
  }
};
