import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '@ledger/domain';
import { ConcurrencyError, DuplicateEventIdError, EventSchemaError } from '@ledger/event-store';
import { TooManyWaitersError } from '@ledger/read-models';
import { IDENTITY_STATUS, IdentityError } from '@ledger/identity';
import { ProblemBody, ProblemException, problem } from './problem';
import { RouteTable } from './route-table';

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  SUBSCRIPTION_NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  PLAN_NOT_FOUND: 404,
  SUBSCRIPTION_ALREADY_OPENED: 409,
  ACCOUNT_ALREADY_REGISTERED: 409,
  RENEWAL_IN_PROGRESS: 409,
  RENEWAL_NOT_PENDING: 409,
  PLAN_NOT_IN_REGION: 422,
  UNKNOWN_PROMOTION_CODE: 422,
  PROMOTION_NOT_APPLICABLE: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  INSUFFICIENT_DATA: 422,
  SUBSCRIPTION_EXPIRED: 422,
  USAGE_ID_REUSED: 422,
  MEASURED_AT_OUT_OF_RANGE: 422,
  INVALID_COMMAND: 400,
  ICCID_IN_USE: 409,
  RENEWAL_NOT_FOUND: 404,
  RENEWAL_NOT_PAID: 409,
  REFUND_EXCEEDS_PAYMENT: 422,
  PROVIDER_UNAVAILABLE: 503,
};

/** Frameworks raise these before our code runs (bad JSON, wrong content type, unknown route). */
const HTTP_CODES: Record<number, string> = {
  400: 'MALFORMED_REQUEST',
  404: 'ROUTE_NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

const fromHttpException = (e: HttpException): ProblemBody => {
  const status = e.getStatus();
  if (status === 429)
    return problem(429, 'RATE_LIMITED', 'too many requests from this client; retry after the number of seconds in Retry-After');
  return problem(status, HTTP_CODES[status] ?? `HTTP_${status}`, e.message);
};

export const toProblem = (err: unknown): ProblemBody => {
  if (err instanceof ProblemException) return problem(err.status, err.code, err.message, err.field, err.extra);
  if (err instanceof DomainError) return problem(DOMAIN_STATUS[err.code] ?? 422, err.code, err.message, err.field);
  if (err instanceof ConcurrencyError) {
    return problem(
      409,
      'CONCURRENCY_CONFLICT',
      'the card changed while the request was processed too many times; retry with the same Idempotency-Key',
    );
  }
  if (err instanceof DuplicateEventIdError) {
    return problem(
      409,
      'DUPLICATE_EVENT_ID',
      'this request collides with events already written under another key; retry with a new Idempotency-Key',
    );
  }
  if (err instanceof IdentityError) {
    return problem(
      IDENTITY_STATUS[err.code],
      err.code,
      err.message,
      err.field,
      err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {},
    );
  }
  if (err instanceof TooManyWaitersError) {
    return problem(503, 'TOO_MANY_WAITERS', `${err.message}; retry shortly, or without minPosition`, 'minPosition', {
      limit: { name: 'QUERY_MAX_WAITERS', value: err.limit },
    });
  }
  if (err instanceof EventSchemaError) {
    // A bug upstream of the store: nothing was written, and the client cannot fix it by changing the request.
    return problem(500, 'INTERNAL_ERROR', 'the ledger refused to store an event it could not have read back; nothing was written');
  }
  if (err instanceof HttpException) return fromHttpException(err);
  const fastifyStatus = (err as { statusCode?: number })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    const fastifyCode = (err as { code?: string }).code;
    const code =
      fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'UNSUPPORTED_MEDIA_TYPE'
        : fastifyStatus === 413
          ? 'PAYLOAD_TOO_LARGE'
          : 'MALFORMED_REQUEST';
    const detail = code === 'UNSUPPORTED_MEDIA_TYPE' ? 'request bodies must be application/json' : (err as Error).message;
    return problem(fastifyStatus, code, detail, undefined, code === 'PAYLOAD_TOO_LARGE' ? { limit: { name: 'HTTP_MAX_BODY_BYTES' } } : {});
  }
  return problem(500, 'INTERNAL_ERROR', 'an unexpected error occurred; nothing was changed by this request unless its events were written');
};

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly routes?: RouteTable) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    let body = { ...toProblem(err), instance: request.url };
    if (body.code === 'ROUTE_NOT_FOUND') {
      const allowed = this.routes?.allowed(request.url) ?? [];
      if (allowed.length && !allowed.includes(request.method)) {
        body = {
          ...problem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here; allowed: ${allowed.join(', ')}`),
          instance: request.url,
        };
        reply.header('Allow', allowed.join(', '));
      }
    }
    // A 503 is the system working as designed (a view behind, a full wait queue): no stack trace.
    if (body.status === 503) this.logger.warn(`${request.method} ${request.url}: ${body.code}: ${body.detail}`);
    else if (body.status >= 500) this.logger.error(`${request.method} ${request.url}: ${(err as Error)?.stack ?? String(err)}`);
    if (body.status === 503) reply.header('Retry-After', '1');
    if (err instanceof IdentityError && err.retryAfterSeconds) reply.header('Retry-After', String(err.retryAfterSeconds));
    if (body.status === 401)
      reply.header('WWW-Authenticate', `Bearer realm="ledger"${body.code === 'TOKEN_INVALID' ? ', error="invalid_token"' : ''}`);
    reply.status(body.status).header('Content-Type', 'application/problem+json').send(body);
  }
}
