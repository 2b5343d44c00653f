import { DeciderSpecification } from '@ledger/testing';
import { money } from '../shared/money';
import { PaymentProcessEvent, PaymentSnapshot, RenewalRequested } from './payment-process.events';
import { paymentProcessDecider } from './payment-process.decider';
import { NextStep, nextStep } from './payment-process.next';

const spec = DeciderSpecification.for(paymentProcessDecider);
const T0 = '2026-12-01T10:00:00.000Z';
const later = (ms: number): string => new Date(Date.parse(T0) + ms).toISOString();
const policy = { baseMs: 1000, maxMs: 8000 };
const price = money(1999, 'EUR');

const request = (over: Partial<RenewalRequested['data']> = {}): RenewalRequested['data'] => ({
  paymentId: 'pay-1',
  renewalId: 'ren-1',
  subscriptionId: 'sub-1',
  accountId: 'acc-1',
  planId: 'eu-monthly-10gb',
  paymentMethod: 'paypal',
  sealedToken: 'k~v',
  quote: { listPrice: price, discounts: [], price },
  promotionCode: null,
  requestHash: 'hash-1',
  origin: { actor: 'account:acc-1', correlationId: 'corr-1', idempotencyKey: 'key-1' },
  requestedAt: T0,
  confirmBy: later(60_000),
  abandonBy: later(600_000),
  ...over,
});

const payment = (status: PaymentSnapshot['status'], over: Partial<PaymentSnapshot> = {}): PaymentSnapshot => ({
  id: 'psp-1',
  status,
  amount: price,
  refunds: [],
  disputes: [],
  ...over,
});

const requested: PaymentProcessEvent = { type: 'RenewalRequested', data: request() };
const reserved: PaymentProcessEvent = { type: 'CardReserved', data: { at: T0 } };
const reported = (
  p: PaymentSnapshot | null,
  source: 'charge' | 'webhook' | 'lookup' = 'charge',
  eventId?: string,
): PaymentProcessEvent => ({
  type: 'ProviderReported',
  data: { source, payment: p, at: T0, ...(eventId ? { eventId } : {}) },
});
const card = (step: string): PaymentProcessEvent => ({ type: 'CardUpdated', data: { step, at: T0 } });
const approvalUrl = { type: 'approve' as const, url: 'http://psp/pay/paypal/psp-1' };

const next = (events: PaymentProcessEvent[], now = T0): NextStep =>
  nextStep(events.reduce(paymentProcessDecider.evolve, paymentProcessDecider.initialState()), now, policy);

describe('renewal payment process: inputs', () => {
  it('starts once per key; the same key with another body is refused', () => {
    spec.given([]).when({ type: 'StartRenewal', request: request() }).then([requested]);
    spec.given([requested]).when({ type: 'StartRenewal', request: request() }).thenNothing();
    spec
      .given([requested])
      .when({ type: 'StartRenewal', request: request({ requestHash: 'other' }) })
      .thenThrows('IDEMPOTENCY_KEY_REUSED');
  });

  it('takes a webhook in once, however often it is delivered', () => {
    const webhook = { type: 'ReceiveWebhook' as const, eventId: 'evt_1', payment: payment('captured'), now: T0 };
    spec
      .given([requested, reserved])
      .when(webhook)
      .then([reported(payment('captured'), 'webhook', 'evt_1')]);
    spec
      .given([requested, reserved, reported(payment('captured'), 'webhook', 'evt_1')])
      .when(webhook)
      .thenNothing();
  });

  it('refuses a refund of a renewal that never completed, or beyond what was paid', () => {
    const refund = {
      type: 'RequestRefund' as const,
      refundId: 'rf-1',
      amountMinor: 500,
      reason: 'customer_request',
      actor: 'staff:f',
      now: T0,
    };
    spec
      .given([requested, reserved, reported(payment('requires_action'))])
      .when(refund)
      .thenThrows('RENEWAL_NOT_PAID');
    const paid = [requested, reserved, reported(payment('captured')), card('outcome:captured')];
    spec
      .given(paid)
      .when({ ...refund, amountMinor: 2000 })
      .thenThrows('REFUND_EXCEEDS_PAYMENT');
    spec
      .given(paid)
      .when(refund)
      .then([
        {
          type: 'RefundRequested',
          data: { refundId: 'rf-1', amountMinor: 500, reason: 'customer_request', actor: 'staff:f', requestedAt: T0 },
        },
      ]);
  });
});

describe('renewal payment process: what it does next', () => {
  it('claims a first-order discount before it reserves the card, and reserves before it charges', () => {
    const firstOrder = { promotionId: 'first-order', kind: 'first_order' as const, amount: money(400, 'EUR') };
    const withDiscount: PaymentProcessEvent = {
      type: 'RenewalRequested',
      data: request({ quote: { listPrice: price, discounts: [firstOrder], price: money(1599, 'EUR') } }),
    };
    expect(next([withDiscount])).toEqual({ kind: 'act', action: { type: 'ClaimDiscount' } });
    expect(next([requested])).toEqual({ kind: 'act', action: { type: 'ReserveCard' } });
    expect(next([requested, reserved])).toEqual({ kind: 'act', action: { type: 'Charge' } });
  });

  it('gives a claimed discount back when the card refuses the renewal', () => {
    const claimed: PaymentProcessEvent = { type: 'DiscountSettled', data: { outcome: 'claimed', quote: request().quote, at: T0 } };
    const refused: PaymentProcessEvent = { type: 'RenewalRefused', data: { code: 'RENEWAL_IN_PROGRESS', message: 'pending', at: T0 } };
    expect(next([requested, claimed, refused])).toEqual({ kind: 'act', action: { type: 'ReleaseDiscount', reason: 'renewal_refused' } });
    expect(next([requested, claimed, refused, { type: 'DiscountReleased', data: { at: T0 } }])).toEqual({ kind: 'done' });
  });

  it('tells the card what the owner must do, then waits for the owner until the confirm time', () => {
    const waiting = [requested, reserved, reported(payment('requires_action', { nextAction: approvalUrl }))];
    expect(next(waiting)).toEqual({ kind: 'act', action: { type: 'RecordAction', action: 'approve', url: approvalUrl.url } });
    expect(next([...waiting, card('action')])).toEqual({ kind: 'wait', until: later(60_000) });
  });

  it('captures an approved PayPal order, then completes the card', () => {
    const approved = [requested, reserved, reported(payment('requires_action', { nextAction: approvalUrl })), card('action')];
    expect(next([...approved, reported(payment('approved'), 'webhook', 'evt_a')])).toEqual({
      kind: 'act',
      action: { type: 'Capture', providerPaymentId: 'psp-1' },
    });
    expect(next([...approved, reported(payment('captured'))])).toEqual({
      kind: 'act',
      action: { type: 'RecordOutcome', outcome: { status: 'captured', paymentId: 'pay-1', amount: price, providerReference: 'psp-1' } },
    });
    expect(next([...approved, reported(payment('captured')), card('outcome:captured')])).toEqual({ kind: 'done' });
  });

  it('never moves a payment back when an older report arrives after a newer one', () => {
    const done = [requested, reserved, reported(payment('captured')), card('outcome:captured')];
    expect(next([...done, reported(payment('requires_action', { nextAction: approvalUrl }), 'webhook', 'evt_old')])).toEqual({
      kind: 'done',
    });
  });

  it('looks an unconfirmed payment up after the confirm time, with a growing gap between lookups', () => {
    const waiting = [requested, reserved, reported(payment('requires_action', { nextAction: approvalUrl })), card('action')];
    expect(next(waiting, later(60_000))).toEqual({ kind: 'act', action: { type: 'Lookup' } });
    const looked: PaymentProcessEvent = {
      type: 'ProviderReported',
      data: { source: 'lookup', payment: payment('requires_action'), at: later(60_000) },
    };
    expect(next([...waiting, looked], later(60_500))).toEqual({ kind: 'wait', until: later(61_000) });
  });

  it('cancels a payment still waiting for the owner at the abandon time, then abandons the renewal', () => {
    const waiting = [requested, reserved, reported(payment('requires_action', { nextAction: approvalUrl })), card('action')];
    expect(next(waiting, later(600_000))).toEqual({ kind: 'act', action: { type: 'Cancel', providerPaymentId: 'psp-1' } });
    const canceled = [...waiting, reported(payment('canceled'))];
    expect(next(canceled, later(600_000))).toEqual({ kind: 'act', action: { type: 'AbandonOnCard', reason: 'not_confirmed_in_time' } });
  });

  it('asks a silent provider again after its backoff, and abandons when it stays silent', () => {
    const silent: PaymentProcessEvent = {
      type: 'ProviderUnreachable',
      data: { operation: 'charge', attempt: 1, error: 'timeout', at: T0, retryAt: later(500) },
    };
    expect(next([requested, reserved, silent], later(100))).toEqual({ kind: 'wait', until: later(500) });
    expect(next([requested, reserved, silent], later(500))).toEqual({ kind: 'act', action: { type: 'Charge' } });
    expect(next([requested, reserved, silent], later(600_000))).toEqual({
      kind: 'act',
      action: { type: 'AbandonOnCard', reason: 'provider_unreachable' },
    });
  });

  it('fails a payment the provider never saw, once past the confirm time', () => {
    const lookedUp = [requested, reserved, reported(null, 'lookup')];
    expect(next(lookedUp, later(60_000))).toEqual({
      kind: 'act',
      action: { type: 'RecordOutcome', outcome: { status: 'failed', paymentId: 'pay-1', reason: 'unknown_at_provider' } },
    });
  });

  it('refunds a capture reported after the renewal was abandoned: no money without data', () => {
    const abandoned = [
      requested,
      reserved,
      reported(null, 'lookup'),
      card('abandoned'),
      reported(payment('captured'), 'webhook', 'evt_late'),
    ];
    expect(next(abandoned)).toEqual({
      kind: 'act',
      action: { type: 'Refund', providerPaymentId: 'psp-1', refundId: 'void-pay-1', amountMinor: 1999, reason: 'renewal_not_completed' },
    });
  });

  it('refunds at the provider first, then on the card; a dispute reaches the card in each state', () => {
    const paid = [requested, reserved, reported(payment('captured')), card('outcome:captured')];
    const asked: PaymentProcessEvent = {
      type: 'RefundRequested',
      data: { refundId: 'rf-1', amountMinor: 500, reason: 'customer_request', actor: 'staff:f', requestedAt: T0 },
    };
    expect(next([...paid, asked])).toMatchObject({ kind: 'act', action: { type: 'Refund', refundId: 'rf-1' } });
    const refunded = [
      ...paid,
      asked,
      reported(payment('captured', { refunds: [{ reference: 'rf-1', amountMinor: 500 }] }), 'refund' as never),
    ];
    expect(next(refunded)).toMatchObject({ kind: 'act', action: { type: 'RecordRefundOnCard', refundId: 'rf-1', amountMinor: 500 } });
    const disputed = [
      ...paid,
      reported(payment('captured', { disputes: [{ id: 'dp-1', status: 'lost', amountMinor: 1999 }] }), 'webhook', 'evt_d'),
    ];
    expect(next(disputed)).toEqual({
      kind: 'act',
      action: { type: 'RecordChargebackOnCard', disputeId: 'dp-1', status: 'lost', amountMinor: 1999 },
    });
    expect(next([...disputed, card('dispute:dp-1:lost')])).toEqual({ kind: 'done' });
  });

  it('refunds a capture reported after the card was told the payment failed', () => {
    const failed = [
      requested,
      reserved,
      reported(null, 'lookup'),
      card('outcome:failed'),
      reported(payment('captured'), 'webhook', 'evt_late'),
    ];
    expect(next(failed)).toMatchObject({ kind: 'act', action: { type: 'Refund', refundId: 'void-pay-1', amountMinor: 1999 } });
  });

  it('looks the payment up when the provider refuses to cancel it, then abandons without cancelling again', () => {
    const waiting = [requested, reserved, reported(payment('requires_action', { nextAction: approvalUrl })), card('action')];
    const refused: PaymentProcessEvent = {
      type: 'ProviderRejected',
      data: { operation: 'cancel', code: 'not_cancelable', message: 'no', at: later(600_000) },
    };
    expect(next([...waiting, refused], later(600_000))).toEqual({ kind: 'act', action: { type: 'Lookup' } });
    const looked: PaymentProcessEvent = {
      type: 'ProviderReported',
      data: { source: 'lookup', payment: payment('requires_action'), at: later(600_000) },
    };
    expect(next([...waiting, refused, looked], later(600_000))).toEqual({
      kind: 'act',
      action: { type: 'AbandonOnCard', reason: 'not_confirmed_in_time' },
    });
    const captured: PaymentProcessEvent = {
      type: 'ProviderReported',
      data: { source: 'lookup', payment: payment('captured'), at: later(600_000) },
    };
    expect(next([...waiting, refused, captured], later(600_000))).toMatchObject({ kind: 'act', action: { type: 'RecordOutcome' } });
  });

  it('stops asking for a void refund the provider refused', () => {
    const abandoned = [
      requested,
      reserved,
      reported(null, 'lookup'),
      card('abandoned'),
      reported(payment('captured'), 'webhook', 'evt_late'),
    ];
    const refused: PaymentProcessEvent = {
      type: 'ProviderRejected',
      data: { operation: 'refund', code: 'refund_exceeds_payment', message: 'no', refundId: 'void-pay-1', at: T0 },
    };
    expect(next([...abandoned, refused])).toEqual({ kind: 'done' });
  });

  it('waits a growing backoff when a capture answers without moving the payment', () => {
    const approved = [requested, reserved, reported(payment('approved'), 'webhook', 'evt_a')];
    const still: PaymentProcessEvent = { type: 'ProviderReported', data: { source: 'capture', payment: payment('approved'), at: T0 } };
    expect(next([...approved, still], later(100))).toEqual({ kind: 'wait', until: later(1000) });
    expect(next([...approved, still, { ...still, data: { ...still.data, at: later(1000) } }], later(1500))).toEqual({
      kind: 'wait',
      until: later(3000),
    });
  });

  it('abandons and refunds a capture of another amount than the price', () => {
    const odd = [requested, reserved, reported(payment('captured', { amount: money(1, 'EUR') }))];
    expect(next(odd)).toEqual({ kind: 'act', action: { type: 'AbandonOnCard', reason: 'amount_mismatch' } });
    expect(next([...odd, card('abandoned')])).toMatchObject({
      kind: 'act',
      action: { type: 'Refund', refundId: 'void-pay-1', amountMinor: 1 },
    });
  });

  it('refuses a refund of what a lost chargeback already took back', () => {
    const lost = [
      requested,
      reserved,
      reported(payment('captured', { disputes: [{ id: 'dp-1', status: 'lost', amountMinor: 1999 }] })),
      card('outcome:captured'),
    ];
    spec
      .given(lost)
      .when({ type: 'RequestRefund', refundId: 'rf-9', amountMinor: 1, reason: 'customer_request', actor: 'staff:f', now: T0 })
      .thenThrows('REFUND_EXCEEDS_PAYMENT');
  });

  it('refuses a reused refund key with another amount', () => {
    const asked: PaymentProcessEvent = {
      type: 'RefundRequested',
      data: { refundId: 'rf-1', amountMinor: 500, reason: 'customer_request', actor: 'staff:f', requestedAt: T0 },
    };
    spec
      .given([requested, reserved, reported(payment('captured')), card('outcome:captured'), asked])
      .when({ type: 'RequestRefund', refundId: 'rf-1', amountMinor: 600, reason: 'customer_request', actor: 'staff:f', now: T0 })
      .thenThrows('IDEMPOTENCY_KEY_REUSED');
  });
});
