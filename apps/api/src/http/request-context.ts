import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { FastifyRequest } from 'fastify';
import { EventMetadata } from '@ledger/event-store';
import { Subject, actorOf } from '@ledger/identity';
import { ProblemException } from './problem';

/** Audit metadata for the events a request causes. */
export interface RequestContext {
  readonly commandId: string;
  readonly correlationId: string;
  readonly actor: string;
  readonly now: string;
}

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A request's id (Fastify's genReqId), so the correlation id of every event it causes and of every
 * line it logs: the caller's `X-Correlation-Id` when it is a well-formed id, a new UUID otherwise.
 */
export const correlationIdOf = (req: IncomingMessage): string => {
  const header = req.headers['x-correlation-id'];
  return typeof header === 'string' && ID_PATTERN.test(header) ? header : randomUUID();
};

/** `actor` is the authenticated subject (`account:<id>`, `staff:<id>`, `client:<id>`). */
export const requestContext = (req: FastifyRequest, actor?: string): RequestContext => {
  const subject = (req as FastifyRequest & { subject?: Subject }).subject;
  return {
    commandId: randomUUID(),
    correlationId: req.id,
    actor: actor ?? (subject ? actorOf(subject) : 'anonymous'),
    now: new Date().toISOString(),
  };
};

export const eventMetadata = (ctx: RequestContext, idempotencyKey: string, causationId?: string): EventMetadata => ({
  commandId: ctx.commandId,
  correlationId: ctx.correlationId,
  causationId: causationId ?? ctx.commandId,
  actor: ctx.actor,
  idempotencyKey,
});

export const requireIdempotencyKey = (req: FastifyRequest): string => {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) {
    throw new ProblemException(
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
      'the Idempotency-Key header is required for this request',
      'Idempotency-Key',
    );
  }
  if (!ID_PATTERN.test(key)) {
    throw new ProblemException(
      400,
      'IDEMPOTENCY_KEY_INVALID',
      'Idempotency-Key must be 1–128 characters of A–Z a–z 0–9 . _ : -',
      'Idempotency-Key',
    );
  }
  return key;
};

/** Positions are signed 64-bit in every store; JSON carries them as decimal strings. */
export const MAX_POSITION = 2n ** 63n - 1n;

export const parsePosition = (raw: unknown, field: string): bigint | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,19}$/.test(raw) || BigInt(raw) > MAX_POSITION) {
    throw new ProblemException(400, 'VALIDATION_FAILED', `${field} must be a log position: an integer from 0 to ${MAX_POSITION}`, field);
  }
  return BigInt(raw);
};
