import { deterministicId } from '@ledger/event-store';

/**
 * A renewal's payment id: our reference at the provider (its idempotency key), the key of the
 * renewal's process stream (`payment-<id>`) and of its row in the payments read model.
 */
export const paymentIdOf = (renewalId: string): string => deterministicId('payment', renewalId);
