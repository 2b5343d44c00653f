import { NodeTracerProvider, BatchSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';

export interface Tracing {
  /** Whether spans leave the process (an OTLP endpoint is configured). */
  readonly exporting: boolean;
  /** Sends what is still buffered; call before the process exits. */
  shutdown(): Promise<void>;
}

let started: Tracing | null = null;

/** Probes and scrapes are not what a trace of a renewal is about. */
const IGNORED_PATHS = /^\/(metrics|health)(\/|$|\?)/;

/**
 * The OpenTelemetry SDK for one process, in the standard environment variables' terms:
 * spans are always made (so logs carry trace ids and `traceparent` travels in events and Kafka
 * headers), and exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set and OTEL_TRACES_EXPORTER is not `none`.
 * OTEL_SDK_DISABLED=true turns it all off. Must run before the modules it instruments are loaded:
 * each app's `instrument.ts` is its main file's first import.
 */
export const startTracing = (serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing => {
  if (started) return started;
  if (env.OTEL_SDK_DISABLED === 'true') return (started = { exporting: false, shutdown: async () => undefined });
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporting = Boolean(endpoint) && env.OTEL_TRACES_EXPORTER !== 'none';
  const spanProcessors: SpanProcessor[] = exporting ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [];
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? serviceName,
      [ATTR_SERVICE_VERSION]: '0.1.0',
    }),
    spanProcessors,
  });
  // W3C trace context only: no baggage, which a caller could use to make the ledger forward
  // headers of its choosing on the calls it makes in that request (to the payment provider).
  provider.register({ propagator: new W3CTraceContextPropagator() });
  // http and undici carry the trace context in and out (a caller's traceparent, the provider's
  // webhook back), so they always run; pg and Nest only add spans, which cost time (bench:http)
  // and which nobody sees unless they are exported.
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => IGNORED_PATHS.test(req.url ?? '') }),
      new UndiciInstrumentation(),
      ...(exporting ? [new PgInstrumentation({ requireParentSpan: true }), new NestInstrumentation()] : []),
    ],
  });
  started = { exporting, shutdown: () => provider.shutdown() };
  return started;
};
