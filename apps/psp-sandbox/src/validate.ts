import { PaymentMethodType } from '@ledger/domain';
import { ApiError } from './model';

/** Bodies come from anyone holding the key: every field is checked so bad input is a 400, never a 500. */
type Body = Record<string, unknown>;

const invalid = (message: string): ApiError => new ApiError(400, 'invalid_request', message);

export const object = (value: unknown, what = 'body'): Body => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what} must be a JSON object`);
  return value as Body;
};

export const text = (body: Body, key: string, max = 200): string => {
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw invalid(`${key} must be a string of 1..${max} characters`);
  return value;
};

export const optionalText = (body: Body, key: string, max = 500): string | undefined =>
  body[key] === undefined ? undefined : text(body, key, max);

export const positiveInt = (body: Body, key: string): number => {
  const value = body[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    throw invalid(`${key} must be a positive integer (minor units)`);
  return value;
};

export const optionalCount = (body: Body, key: string): number | undefined => {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(`${key} must be a non-negative integer`);
  return value;
};

export const optionalBoolean = (body: Body, key: string): boolean | undefined => {
  const value = body[key];
  if (value !== undefined && typeof value !== 'boolean') throw invalid(`${key} must be a boolean`);
  return value;
};

export const oneOf = <T extends string>(body: Body, key: string, allowed: readonly T[]): T => {
  const value = body[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw invalid(`${key} must be one of ${allowed.join(', ')}`);
  return value as T;
};

export interface CreatePaymentBody {
  readonly reference: string;
  readonly method: PaymentMethodType;
  readonly token: string;
  readonly amount: { readonly amountMinor: number; readonly currency: string };
  readonly description?: string;
}

export const createPaymentBody = (raw: unknown): CreatePaymentBody => {
  const body = object(raw);
  const amount = object(body.amount, 'amount');
  const currency = amount.currency;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw invalid('amount.currency must be an ISO 4217 code');
  return {
    reference: text(body, 'reference'),
    method: oneOf(body, 'method', ['card', 'paypal', 'apple_pay'] as const),
    token: text(body, 'token'),
    amount: { amountMinor: positiveInt(amount, 'amountMinor'), currency },
    description: optionalText(body, 'description'),
  };
};

/** The Idempotency-Key header must repeat the reference, so a client cannot mix up two keys. */
export const sameIdempotencyKey = (header: unknown, reference: string): void => {
  if (header !== reference) throw new ApiError(400, 'idempotency_key_mismatch', 'Idempotency-Key header must equal the reference');
};
