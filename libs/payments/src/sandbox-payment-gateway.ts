import { createHash } from 'node:crypto';
import { CaptureRequest, CaptureResult, PaymentGateway } from './payment-gateway.port';

const PREFIX: Record<CaptureRequest['method'], string> = { card: 'ch', paypal: 'pp', apple_pay: 'ap' };

/**
 * Deterministic stand-in for card, PayPal and Apple Pay: `tok_decline…` is declined,
 * `tok_insufficient…` lacks funds, anything else captures. Results are remembered per paymentId,
 * as a real provider's idempotency keys are, so a retried capture never charges twice.
 */
export class SandboxPaymentGateway implements PaymentGateway {
  private readonly results = new Map<string, CaptureResult>();
  captures = 0;

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const known = this.results.get(request.paymentId);
    if (known) return known;
    const result = this.decide(request);
    if (result.status === 'captured') this.captures++;
    this.results.set(request.paymentId, result);
    return result;
  }

  private decide({ paymentId, amount, method, token }: CaptureRequest): CaptureResult {
    if (token.startsWith('tok_decline')) return { status: 'failed', paymentId, reason: 'card_declined' };
    if (token.startsWith('tok_insufficient')) return { status: 'failed', paymentId, reason: 'insufficient_funds' };
    const digest = createHash('sha256').update(paymentId).digest('hex').slice(0, 16);
    return { status: 'captured', paymentId, amount, providerReference: `${PREFIX[method]}_${digest}` };
  }
}
