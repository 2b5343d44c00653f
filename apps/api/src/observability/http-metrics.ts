import type { FastifyInstance } from 'fastify';
import { context } from '@opentelemetry/api';
import { RPCType, getRPCMetadata } from '@opentelemetry/core';
import { httpRequestDuration } from '@ledger/observability';

/**
 * Every answered request in the latency histogram, labelled by the route's template
 * (`/v1/subscriptions/:id`, never the id) or `unmatched` for a path no route serves, so a
 * scanner trying random URLs adds one series, not one per URL.
 */
export const measureHttp = (fastify: FastifyInstance): void => {
  // The HTTP instrumentation names its server span after the route it is told (`POST /v1/…/:id/renewals`).
  fastify.addHook('onRequest', (request, _reply, done) => {
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type === RPCType.HTTP && request.routeOptions.url) rpc.route = request.routeOptions.url;
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
};
