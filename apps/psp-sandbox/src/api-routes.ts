import { FastifyInstance } from 'fastify';
import { PspLedger } from './ledger';
import { ApiError, Faults } from './model';
import { isSettlementDate, settlementCsv } from './settlement';
import * as v from './validate';

type ById = { Params: { id: string } };

export interface ApiDeps {
  readonly ledger: PspLedger;
  readonly faults: () => Faults;
  readonly setFaults: (faults: Faults) => void;
}

/** The merchant API (/v1) and the sandbox's test controls (/sandbox); both sit behind the API key. */
export const registerApiRoutes = (app: FastifyInstance, { ledger, faults, setFaults }: ApiDeps): void => {
  app.post('/v1/payments', async (req, reply) => {
    const body = v.createPaymentBody(req.body);
    v.sameIdempotencyKey(req.headers['idempotency-key'], body.reference);
    const { created, payment } = ledger.create(body);
    return reply.code(created ? 201 : 200).send(payment);
  });

  app.get<{ Querystring: { reference?: unknown } }>('/v1/payments', async (req) => {
    const reference = req.query.reference;
    if (typeof reference !== 'string' || reference === '')
      throw new ApiError(400, 'invalid_request', 'reference query parameter is required');
    const payment = ledger.findByReference(reference);
    return { data: payment ? [payment] : [] };
  });

  app.get<ById>('/v1/payments/:id', async (req) => ledger.get(req.params.id).payment);
  app.post<ById>('/v1/payments/:id/capture', async (req) => ledger.capture(req.params.id));
  app.post<ById>('/v1/payments/:id/cancel', async (req) => ledger.cancel(req.params.id));

  app.post<ById>('/v1/payments/:id/refunds', async (req, reply) => {
    const body = v.object(req.body);
    const reference = v.text(body, 'reference');
    const amountMinor = v.positiveInt(body, 'amountMinor');
    v.sameIdempotencyKey(req.headers['idempotency-key'], reference);
    return reply.code(201).send(ledger.refund(req.params.id, reference, amountMinor));
  });

  app.get<{ Params: { date: string } }>('/v1/settlements/:date', async (req, reply) => {
    const { date } = req.params;
    if (!isSettlementDate(date)) throw new ApiError(400, 'invalid_request', 'date must be YYYY-MM-DD');
    return reply.type('text/csv; charset=utf-8; header=present').send(settlementCsv(date, ledger.all()));
  });

  app.post<ById>('/sandbox/payments/:id/disputes', async (req, reply) => {
    const body = req.body === undefined ? {} : v.object(req.body);
    const amountMinor = body.amountMinor === undefined ? undefined : v.positiveInt(body, 'amountMinor');
    return reply.code(201).send(ledger.openDispute(req.params.id, amountMinor));
  });

  app.post<ById>('/sandbox/disputes/:id/resolve', async (req) => {
    const outcome = v.oneOf(v.object(req.body), 'outcome', ['won', 'lost'] as const);
    return ledger.resolveDispute(req.params.id, outcome);
  });

  app.put('/sandbox/faults', async (req) => {
    const body = v.object(req.body);
    const next: Faults = {
      latencyMs: v.optionalCount(body, 'latencyMs'),
      failNext: v.optionalCount(body, 'failNext'),
      hangNext: v.optionalCount(body, 'hangNext'),
      webhooksPaused: v.optionalBoolean(body, 'webhooksPaused'),
    };
    setFaults(next);
    return faults();
  });

  app.get('/sandbox/stats', async () => ledger.stats());
};
