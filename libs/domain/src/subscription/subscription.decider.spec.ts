import { DeciderSpecification } from '@ledger/testing';
import { Plan, findPlan } from '../catalogue/plan';
import { DEFAULT_PROMOTIONS, quotePrice } from '../catalogue/promotions';
import { addDays } from '../shared/time';
import { OpenSubscription, RecordPaymentOutcome, RecordUsage, SelectPlan } from './subscription.commands';
import { subscriptionDecider } from './subscription.decider';
import { SubscriptionEvent } from './subscription.events';
import { initialCard } from './subscription.state';

const spec = DeciderSpecification.for(subscriptionDecider);

const T0 = '2025-03-01T00:00:00.000Z';
const at = (days: number): string => addDays(T0, days);

const planOf = (planId: string): Plan => {
  const plan = findPlan(planId);
  if (!plan) throw new Error(`fixture plan ${planId} is not in the catalogue`);
  return plan;
};
const EU_DAILY = planOf('eu-daily-1gb');
const EU_MONTHLY = planOf('eu-monthly-10gb');
const US_MONTHLY = planOf('us-monthly-15gb');

const priceOf = (plan: Plan, now: string) => quotePrice({ plan, now, firstOrderEligible: false, rules: DEFAULT_PROMOTIONS });

const openCard: OpenSubscription = {
  type: 'OpenSubscription',
  subscriptionId: 'sub-1',
  accountId: 'acc-1',
  iccid: '8944000000000000001',
  region: 'EU',
  now: T0,
};
const opened: SubscriptionEvent = {
  type: 'SubscriptionOpened',
  data: { subscriptionId: 'sub-1', accountId: 'acc-1', iccid: '8944000000000000001', region: 'EU', openedAt: T0 },
};

const selectPlan = (renewalId: string, plan: Plan, now: string, requestHash = `hash-${renewalId}`): SelectPlan => ({
  type: 'SelectPlan',
  renewalId,
  plan,
  quote: priceOf(plan, now),
  paymentMethod: 'card',
  requestHash,
  now,
});

const planSelected = (renewalId: string, plan: Plan, now: string, requestHash = `hash-${renewalId}`): SubscriptionEvent => {
  const quote = priceOf(plan, now);
  return {
    type: 'PlanSelected',
    data: {
      renewalId,
      planId: plan.planId,
      region: plan.region,
      kind: plan.kind,
      days: plan.days,
      dataMb: plan.dataMb,
      listPrice: quote.listPrice,
      discounts: [...quote.discounts],
      price: quote.price,
      paymentMethod: 'card',
      requestHash,
      selectedAt: now,
    },
  };
};

const capture = (renewalId: string, plan: Plan, now: string): RecordPaymentOutcome => ({
  type: 'RecordPaymentOutcome',
  renewalId,
  now,
  outcome: { status: 'captured', paymentId: `pay-${renewalId}`, amount: plan.listPrice, providerReference: `ref-${renewalId}` },
});
const fail = (renewalId: string, now: string): RecordPaymentOutcome => ({
  type: 'RecordPaymentOutcome',
  renewalId,
  now,
  outcome: { status: 'failed', paymentId: `pay-${renewalId}`, reason: 'card_declined' },
});

const captured = (renewalId: string, plan: Plan, now: string): SubscriptionEvent => ({
  type: 'PaymentCaptured',
  data: {
    renewalId,
    paymentId: `pay-${renewalId}`,
    amount: plan.listPrice,
    method: 'card',
    providerReference: `ref-${renewalId}`,
    capturedAt: now,
  },
});
const extended = (renewalId: string, plan: Plan, previousExpiry: string | null, newExpiry: string): SubscriptionEvent => ({
  type: 'ValidityExtended',
  data: { renewalId, previousExpiry, newExpiry, dataMbGranted: plan.dataMb, bucketId: `bucket-${renewalId}` },
});

const renewed = (renewalId: string, plan: Plan, now: string, previousExpiry: string | null = null, newExpiry = addDays(now, plan.days)) => [
  planSelected(renewalId, plan, now),
  captured(renewalId, plan, now),
  extended(renewalId, plan, previousExpiry, newExpiry),
];

const use = (usageId: string, mb: number, now: string): RecordUsage => ({ type: 'RecordUsage', usageId, mb, now });
const usageRecorded = (usageId: string, mb: number, from: { bucketId: string; mb: number }[], now: string): SubscriptionEvent => ({
  type: 'DataUsageRecorded',
  data: { usageId, mb, from, recordedAt: now },
});

describe('subscription decider', () => {
  describe('opening a card', () => {
    it('opens a card in its region', () => {
      spec.given([]).when(openCard).then([opened]);
    });

    it('treats opening the same card twice with the same data as a no-op', () => {
      spec
        .given([opened])
        .when({ ...openCard, now: at(1) })
        .thenNothing();
    });

    it('refuses to open an open card with different data', () => {
      spec
        .given([opened])
        .when({ ...openCard, iccid: '8944000000000000002' })
        .thenThrows('SUBSCRIPTION_ALREADY_OPENED');
    });

    it('starts a card unopened', () => {
      expect(initialCard()).toEqual({ status: 'Unopened' });
    });
  });

  describe('selecting a plan', () => {
    it('records the plan and its quoted price as a pending renewal', () => {
      spec
        .given([opened])
        .when(selectPlan('r1', EU_MONTHLY, T0))
        .then([planSelected('r1', EU_MONTHLY, T0)]);
    });

    it('refuses a plan on a card that was never opened', () => {
      spec
        .given([])
        .when(selectPlan('r1', EU_MONTHLY, T0))
        .thenThrows('SUBSCRIPTION_NOT_FOUND');
    });

    it('refuses a plan sold in another region', () => {
      spec
        .given([opened])
        .when(selectPlan('r1', US_MONTHLY, T0))
        .thenThrows('PLAN_NOT_IN_REGION');
    });

    it('refuses a second renewal while one is pending', () => {
      spec
        .given([opened, planSelected('r1', EU_MONTHLY, T0)])
        .when(selectPlan('r2', EU_DAILY, T0))
        .thenThrows('RENEWAL_IN_PROGRESS');
    });

    it('treats a retry with the same renewal id and request body as a no-op', () => {
      spec
        .given([opened, planSelected('r1', EU_MONTHLY, T0)])
        .when(selectPlan('r1', EU_MONTHLY, at(0.01)))
        .thenNothing();
    });

    it('refuses a reused renewal id with a different request body', () => {
      spec
        .given([opened, planSelected('r1', EU_MONTHLY, T0)])
        .when(selectPlan('r1', EU_DAILY, T0, 'another-body'))
        .thenThrows('IDEMPOTENCY_KEY_REUSED');
    });

    it('forfeits expired data before recording the new plan', () => {
      spec
        .given([opened, ...renewed('r1', EU_DAILY, T0)])
        .when(selectPlan('r2', EU_DAILY, at(3)))
        .then([
          { type: 'DataExpired', data: { bucketId: 'bucket-r1', mbForfeited: EU_DAILY.dataMb, expiredAt: at(1) } },
          planSelected('r2', EU_DAILY, at(3)),
        ]);
    });
  });

  describe('recording the payment outcome', () => {
    it('starts a first renewal at the moment of capture', () => {
      spec
        .given([opened, planSelected('r1', EU_MONTHLY, T0)])
        .when(capture('r1', EU_MONTHLY, at(0.5)))
        .then([captured('r1', EU_MONTHLY, at(0.5)), extended('r1', EU_MONTHLY, null, at(30.5))]);
    });

    it('stacks a renewal on an active card after the current expiry', () => {
      spec
        .given([opened, ...renewed('r1', EU_MONTHLY, T0), planSelected('r2', EU_DAILY, at(10))])
        .when(capture('r2', EU_DAILY, at(10)))
        .then([captured('r2', EU_DAILY, at(10)), extended('r2', EU_DAILY, at(30), at(31))]);
    });

    it('starts a renewal of an expired card at the moment of capture', () => {
      spec
        .given([opened, ...renewed('r1', EU_DAILY, T0), planSelected('r2', EU_DAILY, at(0.5))])
        .when(capture('r2', EU_DAILY, at(5)))
        .then([
          { type: 'DataExpired', data: { bucketId: 'bucket-r1', mbForfeited: EU_DAILY.dataMb, expiredAt: at(1) } },
          captured('r2', EU_DAILY, at(5)),
          extended('r2', EU_DAILY, at(1), at(6)),
        ]);
    });

    it('records a failed payment', () => {
      spec
        .given([opened, planSelected('r1', EU_MONTHLY, T0)])
        .when(fail('r1', at(0.1)))
        .then([{ type: 'PaymentFailed', data: { renewalId: 'r1', paymentId: 'pay-r1', reason: 'card_declined', failedAt: at(0.1) } }]);
    });

    it('lets the card renew again after a failed payment', () => {
      const failed: SubscriptionEvent = {
        type: 'PaymentFailed',
        data: { renewalId: 'r1', paymentId: 'pay-r1', reason: 'card_declined', failedAt: T0 },
      };
      spec
        .given([opened, planSelected('r1', EU_MONTHLY, T0), failed])
        .when(selectPlan('r2', EU_MONTHLY, at(0.1)))
        .then([planSelected('r2', EU_MONTHLY, at(0.1))]);
    });

    it('ignores a capture for a renewal that already completed', () => {
      spec
        .given([opened, ...renewed('r1', EU_MONTHLY, T0)])
        .when(capture('r1', EU_MONTHLY, at(1)))
        .thenNothing();
    });

    it('refuses an outcome for a renewal that was never selected', () => {
      spec
        .given([opened])
        .when(capture('r1', EU_MONTHLY, T0))
        .thenThrows('RENEWAL_NOT_PENDING');
    });

    it('refuses a capture whose amount differs from the quoted price', () => {
      const state = [opened, planSelected('r1', EU_MONTHLY, T0)].reduce(subscriptionDecider.evolve, initialCard());
      const wrong = capture('r1', EU_DAILY, T0);
      expect(() => subscriptionDecider.decide(wrong, state)).toThrow(/captured 299 EUR for a renewal priced 1999 EUR/);
    });
  });

  describe('recording usage', () => {
    // r1 (daily) expires at day 1; r2 (monthly) is stacked after it and expires at day 31.
    const twoBuckets = [
      opened,
      ...renewed('r1', EU_DAILY, T0),
      planSelected('r2', EU_MONTHLY, at(0.5)),
      captured('r2', EU_MONTHLY, at(0.5)),
      extended('r2', EU_MONTHLY, at(1), at(31)),
    ];

    it('draws usage from the soonest-expiring bucket', () => {
      spec
        .given(twoBuckets)
        .when(use('u1', 100, at(0.6)))
        .then([usageRecorded('u1', 100, [{ bucketId: 'bucket-r1', mb: 100 }], at(0.6))]);
    });

    it('draws the rest from the next bucket once the soonest-expiring one is empty', () => {
      spec
        .given(twoBuckets)
        .when(use('u1', 1124, at(0.6)))
        .then([
          usageRecorded(
            'u1',
            1124,
            [
              { bucketId: 'bucket-r1', mb: 1024 },
              { bucketId: 'bucket-r2', mb: 100 },
            ],
            at(0.6),
          ),
        ]);
    });

    it('refuses usage above the data remaining', () => {
      spec
        .given(twoBuckets)
        .when(use('u1', 1024 + 10240 + 1, at(0.6)))
        .thenThrows('INSUFFICIENT_DATA');
    });

    it('treats a repeated usage id with the same amount as a no-op', () => {
      spec
        .given([...twoBuckets, usageRecorded('u1', 100, [{ bucketId: 'bucket-r1', mb: 100 }], at(0.6))])
        .when(use('u1', 100, at(0.7)))
        .thenNothing();
    });

    it('refuses a reused usage id with a different amount', () => {
      spec
        .given([...twoBuckets, usageRecorded('u1', 100, [{ bucketId: 'bucket-r1', mb: 100 }], at(0.6))])
        .when(use('u1', 200, at(0.7)))
        .thenThrows('USAGE_ID_REUSED');
    });

    it('forfeits expired buckets before drawing usage', () => {
      spec
        .given([...twoBuckets, usageRecorded('u1', 24, [{ bucketId: 'bucket-r1', mb: 24 }], at(0.6))])
        .when(use('u2', 50, at(2)))
        .then([
          { type: 'DataExpired', data: { bucketId: 'bucket-r1', mbForfeited: 1000, expiredAt: at(1) } },
          usageRecorded('u2', 50, [{ bucketId: 'bucket-r2', mb: 50 }], at(2)),
        ]);
    });

    it('treats a bucket as expired at the exact instant of its expiry', () => {
      spec
        .given(twoBuckets)
        .when(use('u1', 1, at(1)))
        .then([
          { type: 'DataExpired', data: { bucketId: 'bucket-r1', mbForfeited: 1024, expiredAt: at(1) } },
          usageRecorded('u1', 1, [{ bucketId: 'bucket-r2', mb: 1 }], at(1)),
        ]);
    });

    it('refuses usage on an expired card', () => {
      spec
        .given([opened, ...renewed('r1', EU_DAILY, T0)])
        .when(use('u1', 1, at(2)))
        .thenThrows('SUBSCRIPTION_EXPIRED');
    });

    it('refuses usage on a card that was never renewed', () => {
      spec
        .given([opened])
        .when(use('u1', 1, T0))
        .thenThrows('SUBSCRIPTION_EXPIRED');
    });

    it('refuses usage on a card that was never opened', () => {
      spec
        .given([])
        .when(use('u1', 1, T0))
        .thenThrows('SUBSCRIPTION_NOT_FOUND');
    });
  });
});
