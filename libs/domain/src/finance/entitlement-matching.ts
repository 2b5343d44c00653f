import { Break } from './settlement-matching';

/** A payment as finance sees it for entitlement to cash: what the card was given for the money. */
export interface PaymentEntitlement {
  readonly reference: string;
  readonly captured: boolean;
  readonly granted: boolean;
  /** Refunds and lost chargebacks of the payment, and the revocations that answered them. */
  readonly refunds: number;
  readonly chargebacksLost: number;
  readonly revocations: number;
}

/**
 * Entitlement to cash: every captured payment has exactly one grant (ValidityExtended) and every
 * grant a capture; every refund and lost chargeback its revocation (EntitlementRevoked), and no
 * revocation is without one. An orphan on either side is a break.
 */
export const matchEntitlements = (payments: readonly PaymentEntitlement[]): Break[] => {
  const breaks: Break[] = [];
  for (const p of payments) {
    const base = { reference: p.reference, movement: 'charge' as const };
    if (p.captured && !p.granted)
      breaks.push({ ...base, kind: 'entitlement_missing', detail: 'captured, but the card was never extended' });
    if (!p.captured && p.granted) breaks.push({ ...base, kind: 'cash_missing', detail: 'the card was extended without a capture' });
    const owed = p.refunds + p.chargebacksLost;
    if (owed > p.revocations)
      breaks.push({ ...base, kind: 'revocation_missing', detail: `${owed} refunds and lost chargebacks, ${p.revocations} revocations` });
    if (owed < p.revocations)
      breaks.push({ ...base, kind: 'revocation_orphan', detail: `${p.revocations} revocations for ${owed} refunds and lost chargebacks` });
  }
  return breaks;
};
