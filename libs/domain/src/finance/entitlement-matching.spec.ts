import { PaymentEntitlement, matchEntitlements } from './entitlement-matching';

const paid = (over: Partial<PaymentEntitlement> = {}): PaymentEntitlement => ({
  reference: 'p',
  captured: true,
  granted: true,
  refunds: 0,
  chargebacksLost: 0,
  revocations: 0,
  ...over,
});

describe('entitlement to cash', () => {
  it('finds nothing when every capture has its grant and every refund or lost chargeback its revocation', () => {
    expect(
      matchEntitlements([paid(), paid({ refunds: 2, chargebacksLost: 1, revocations: 3 }), paid({ captured: false, granted: false })]),
    ).toEqual([]);
  });

  it('names a capture without a grant, a grant without a capture, and revocations missing or orphaned', () => {
    const kinds = matchEntitlements([
      paid({ reference: 'a', granted: false }),
      paid({ reference: 'b', captured: false }),
      paid({ reference: 'c', refunds: 1 }),
      paid({ reference: 'd', revocations: 1 }),
    ]).map((b) => [b.reference, b.kind]);
    expect(kinds).toEqual([
      ['a', 'entitlement_missing'],
      ['b', 'cash_missing'],
      ['c', 'revocation_missing'],
      ['d', 'revocation_orphan'],
    ]);
  });
});
