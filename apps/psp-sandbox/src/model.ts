import { randomBytes } from 'node:crypto';
import { ProviderEvent, ProviderPayment } from '@ledger/payments';

/** What the sandbox keeps of a payment: the provider's view plus the token that decides its outcomes. */
export interface PaymentRecord {
  readonly payment: ProviderPayment;
  readonly token: string;
  readonly description?: string;
}

/**
 * One journal line. A state change and the event announcing it are one line, so a torn write
 * (the only damage kill -9 can do to an append-only file) loses both or neither.
 */
export type JournalRecord =
  | { readonly k: 'put'; readonly rec: PaymentRecord; readonly event: ProviderEvent; readonly captured?: true }
  | { readonly k: 'delivered'; readonly id: string };

/** Test controls; each field left out keeps its current value. */
export interface Faults {
  /** Replaces the start option while set; every API answer waits this long. */
  readonly latencyMs?: number;
  /** Answer 503 to the next N API calls without doing anything. */
  readonly failNext?: number;
  /** Do the work of the next N API calls but never answer (the socket stays open until close). */
  readonly hangNext?: number;
  readonly webhooksPaused?: boolean;
}

/** A refusal the client caused: always a 4xx with a stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const newId = (prefix: 'pay' | 're' | 'dp' | 'evt'): string => `${prefix}_${randomBytes(8).toString('hex')}`;

export const nowIso = (): string => new Date().toISOString();
