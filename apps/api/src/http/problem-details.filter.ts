import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '@ledger/domain';
import { ConcurrencyError, DuplicateEventIdError } from '@ledger/event-store';
import { ProblemBody, ProblemException, problem } from './problem';

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
};

/** Frameworks raise these before our code runs (bad JSON, wrong content type, unknown route). */
const fromHttpException = (e: HttpException): ProblemBody => {
  const status = e.getStatus();
  const code = status === 404 ? 'ROUTE_NOT_FOUND' : status === 400 ? 'MALFORMED_REQUEST' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'PAYLOAD_TOO_LARGE' : `HTTP_${status}`;
  return problem(status, code, e.message);
};

export const toProblem = (err: unknown): ProblemBody => {
  if (err instanceof ProblemException) return problem(err.status, err.code, err.message, err.field, err.extra);
  if (err instanceof DomainError) return problem(DOMAIN_STATUS[err.code] ?? 422, err.code, err.message, err.field);
  if (err instanceof ConcurrencyError) {
    return problem(409, 'CONCURRENCY_CONFLICT', 'the card changed while the request was processed too many times; retry with the same Idempotency-Key');
  }
  if (err instanceof DuplicateEventIdError) {
    return problem(409, 'DUPLICATE_EVENT_ID', 'this request collides with events already written under another key; retry with a new Idempotency-Key');
  }
  if (err instanceof HttpException) return fromHttpException(err);
  const fastifyStatus = (err as { statusCode?: number })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    const fastifyCode = (err as { code?: string }).code;
    const code = fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE' : fastifyStatus === 413 ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_REQUEST';
    return problem(fastifyStatus, code, (err as Error).message);
  }
  return problem(500, 'INTERNAL_ERROR', 'an unexpected error occurred; nothing was changed by this request unless its events were written');
};

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const body = { ...toProblem(err), instance: request.url };
    if (body.status >= 500) this.logger.error(`${request.method} ${request.url}: ${(err as Error)?.stack ?? String(err)}`);
    if (body.status === 503) reply.header('Retry-After', '1');
    reply.status(body.status).header('Content-Type', 'application/problem+json').send(body);
  }
}
