import { CreatePaymentRequest, PaymentProvider, ProviderPayment, RefundRequest } from '@ledger/payments';

/**
 * The sandbox provider with a hand on its charges: each `createPayment` can be slowed or held until
 * released, so a test can keep a renewal pending at the provider. Everything still reaches the sandbox.
 */
export class HeldProvider implements PaymentProvider {
  charges = 0;
  delayMs = 0;
  private gate: { promise: Promise<void>; open: () => void; arrived: () => void; arrival: Promise<void> } | null = null;

  constructor(private readonly inner: PaymentProvider) {}

  /** Holds the next charges until `open()`; resolves `arrived` when the first one came in. */
  hold(): { arrived: Promise<void>; open: () => void } {
    let open!: () => void;
    let arrived!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    const arrival = new Promise<void>((r) => (arrived = r));
    this.gate = { promise, open, arrived, arrival };
    return {
      arrived: arrival,
      open: () => {
        this.gate = null;
        open();
      },
    };
  }

  async createPayment(request: CreatePaymentRequest): Promise<ProviderPayment> {
    this.charges++;
    const gate = this.gate;
    if (gate) {
      gate.arrived();
      await gate.promise;
    }
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs * (0.25 + Math.random())));
    return this.inner.createPayment(request);
  }

  findPayment(reference: string) {
    return this.inner.findPayment(reference);
  }
  capturePayment(paymentId: string) {
    return this.inner.capturePayment(paymentId);
  }
  cancelPayment(paymentId: string) {
    return this.inner.cancelPayment(paymentId);
  }
  refundPayment(paymentId: string, request: RefundRequest) {
    return this.inner.refundPayment(paymentId, request);
  }
}
