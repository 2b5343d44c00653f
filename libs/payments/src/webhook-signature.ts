import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProviderEvent } from './payment-provider.port';

export type WebhookSignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch' | 'body';

/** A webhook we must not act on; `reason` tells the receiver what to log (never what to answer). */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
  constructor(
    readonly reason: WebhookSignatureFailure,
    message: string,
  ) {
    super(message);
  }
}

const digest = (rawBody: string | Buffer, secret: string, unixSeconds: number): Buffer =>
  createHmac('sha256', secret).update(`${unixSeconds}.`).update(rawBody).digest();

/** The `Psp-Signature` header value: the timestamp is signed with the body so a capture cannot be replayed later. */
export const signWebhook = (rawBody: string, secret: string, unixSeconds: number): string =>
  `t=${unixSeconds},v1=${digest(rawBody, secret, unixSeconds).toString('hex')}`;

const parseHeader = (header: string): { t: number; signatures: Buffer[] } => {
  let t: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new WebhookSignatureError('malformed', 'signature header entry without "="');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) throw new WebhookSignatureError('malformed', 'bad or repeated timestamp');
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new WebhookSignatureError('malformed', 'v1 is not a hex SHA-256');
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (v0=…) are ignored: a provider may add them while it rotates algorithms.
  }
  if (t === undefined || signatures.length === 0) throw new WebhookSignatureError('malformed', 'timestamp or v1 signature missing');
  return { t, signatures };
};

/**
 * Checks a provider webhook and answers its event. Several v1 entries are accepted because the
 * provider signs with both the old and the new secret while one is rolled.
 */
export const verifyWebhook = (
  rawBody: string | Buffer,
  header: string | undefined,
  secret: string,
  nowUnixSeconds: number,
  toleranceSeconds = 300,
): ProviderEvent => {
  if (header === undefined || header.trim() === '') throw new WebhookSignatureError('missing', 'no Psp-Signature header');
  const { t, signatures } = parseHeader(header);
  if (Math.abs(nowUnixSeconds - t) > toleranceSeconds) throw new WebhookSignatureError('stale', `timestamp ${t} is outside the tolerance`);
  const expected = digest(rawBody, secret, t);
  // Every candidate is compared, so the time taken does not tell which entry matched.
  let matched = false;
  for (const candidate of signatures) matched = timingSafeEqual(candidate, expected) || matched;
  if (!matched) throw new WebhookSignatureError('mismatch', 'no v1 signature matches the body');
  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    throw new WebhookSignatureError('body', 'body is not JSON');
  }
  const event = body as Partial<Record<string, unknown>> | null;
  if (
    typeof event !== 'object' ||
    event === null ||
    Array.isArray(event) ||
    typeof event.id !== 'string' ||
    typeof event.type !== 'string'
  ) {
    throw new WebhookSignatureError('body', 'body is not an event with a string id and type');
  }
  return body as ProviderEvent;
};
