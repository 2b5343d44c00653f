import { chargeFee } from './settlement';
import { ProviderEventType, ProviderPayment } from '@ledger/payments';
import { nowIso } from './model';
import { CreatePaymentBody } from './validate';

export interface FirstState {
  readonly payment: ProviderPayment;
  readonly type: ProviderEventType;
  readonly captured: boolean;
}

/**
 * What a new payment becomes, decided by method and token as a real provider's test tokens do:
 * cards and Apple Pay settle at once (or ask for 3-D Secure); PayPal always waits for its payer.
 */
export const firstState = (body: CreatePaymentBody, id: string, baseUrl: string): FirstState => {
  const base: ProviderPayment = {
    id,
    reference: body.reference,
    method: body.method,
    amount: { amountMinor: body.amount.amountMinor, currency: body.amount.currency },
    status: 'captured',
    refundedMinor: 0,
    refunds: [],
    disputes: [],
    createdAt: nowIso(),
  };
  const failed = (failureReason: string): FirstState => ({
    payment: { ...base, status: 'failed', failureReason },
    type: 'payment.failed',
    captured: false,
  });
  const action = (type: 'approve' | 'three_d_secure', page: string): FirstState => ({
    payment: { ...base, status: 'requires_action', nextAction: { type, url: `${baseUrl}/pay/${page}/${id}` } },
    type: 'payment.requires_action',
    captured: false,
  });
  const captured: FirstState = {
    payment: { ...base, capturedAt: base.createdAt, feeMinor: chargeFee(base.method, base.amount) },
    type: 'payment.captured',
    captured: true,
  };
  const declined = body.token.startsWith('tok_decline');
  if (body.method === 'paypal') return action('approve', 'paypal');
  if (body.method === 'apple_pay') return declined ? failed('apple_pay_declined') : captured;
  if (declined) return failed('card_declined');
  if (body.token.startsWith('tok_insufficient')) return failed('insufficient_funds');
  if (body.token.startsWith('tok_3ds')) return action('three_d_secure', '3ds');
  return captured;
};
