import { RetryPolicy, backoffDelay } from '@ledger/event-store';

/**
 * Errors worth retrying because the same statement may well succeed a moment later: the
 * connection dropped, the server is restarting or overloaded, or we lost a lock race. Anything
 * else (a constraint, a type error, a bug in a handler) fails the same way every time.
 */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '53000', '53100', '53200', '53300']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (is )?closed/i,
  /server closed the connection/i,
];

export const rootCause = (err: unknown): unknown => {
  let e = err as { cause?: unknown; driverError?: unknown } | undefined;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const inner = e.driverError ?? e.cause;
    if (!inner) break;
    e = inner as typeof e;
  }
  return e;
};

export const isTransientError = (err: unknown): boolean => {
  const e = rootCause(err) as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
  return typeof e?.message === 'string' && TRANSIENT_MESSAGES.some((m) => m.test(e.message as string));
};

export const describeError = (err: unknown): string => {
  const e = rootCause(err);
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
};

export { DEFAULT_RETRY } from '@ledger/event-store';
export type { RetryPolicy } from '@ledger/event-store';

/** Runs `fn`, retrying transient errors up to `attempts` times in all with exponential backoff. */
export const retryTransient = async <T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void,
): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= policy.attempts || !isTransientError(err)) throw err;
      const delayMs = backoffDelay(policy, attempt);
      onRetry?.(err, attempt, delayMs);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
};
