import { evolve, initialCard } from './subscription.state';
import { SubscriptionEvent } from './subscription.events';
import { upcastSubscriptionEvent } from './subscription.upcast';

const opened: SubscriptionEvent = {
  type: 'SubscriptionOpened',
  data: { subscriptionId: 's', accountId: 'a', iccid: '8949020000012345678', region: 'EU', openedAt: '2026-01-01T00:00:00.000Z' },
};
const v1 = {
  renewalId: 'r1',
  planId: 'eu-monthly-10gb',
  priceMinor: 1999,
  currency: 'EUR',
  paymentMethod: 'card',
  requestHash: 'h',
  selectedAt: '2026-01-01T00:00:00.000Z',
};
const v2: SubscriptionEvent = {
  type: 'PlanSelected',
  data: {
    renewalId: 'r1',
    planId: 'eu-monthly-10gb',
    region: 'EU',
    kind: 'monthly',
    days: 30,
    dataMb: 10240,
    listPrice: { amountMinor: 1999, currency: 'EUR' },
    discounts: [],
    price: { amountMinor: 1999, currency: 'EUR' },
    paymentMethod: 'card',
    requestHash: 'h',
    selectedAt: '2026-01-01T00:00:00.000Z',
  },
};
const captured: SubscriptionEvent[] = [
  {
    type: 'PaymentCaptured',
    data: {
      renewalId: 'r1',
      paymentId: 'p',
      amount: { amountMinor: 1999, currency: 'EUR' },
      method: 'card',
      providerReference: 'ch',
      capturedAt: '2026-01-01T00:00:01.000Z',
    },
  },
  {
    type: 'ValidityExtended',
    data: { renewalId: 'r1', previousExpiry: null, newExpiry: '2026-01-31T00:00:01.000Z', dataMbGranted: 10240, bucketId: 'b' },
  },
];

describe('upcasting stored subscription events', () => {
  it('brings a v1 PlanSelected (flat price, no region) to the current shape', () => {
    expect(upcastSubscriptionEvent({ type: 'PlanSelected', data: v1 })).toEqual(v2);
  });

  it('passes current shapes through untouched', () => {
    expect(upcastSubscriptionEvent(v2)).toBe(v2);
  });

  it('folds a v1 history into the same card as the v2 history', () => {
    const old = [opened, upcastSubscriptionEvent({ type: 'PlanSelected', data: v1 }), ...captured].reduce(evolve, initialCard());
    const current = [opened, v2, ...captured].reduce(evolve, initialCard());
    expect(old).toEqual(current);
  });
});
