import { DeciderSpecification } from '@ledger/testing';
import { AccountCommand, AccountEvent, accountDecider, firstOrderEligible } from './account.decider';

const spec = DeciderSpecification.for(accountDecider);

const T0 = '2025-03-01T00:00:00.000Z';
const T1 = '2025-03-02T00:00:00.000Z';

const register: AccountCommand = { type: 'RegisterAccount', accountId: 'acc-1', now: T0 };
const registered: AccountEvent = { type: 'AccountRegistered', data: { accountId: 'acc-1', registeredAt: T0 } };

const claim = (renewalId: string): AccountCommand => ({ type: 'ClaimFirstOrderDiscount', renewalId, subscriptionId: 'sub-1', now: T1 });
const claimed = (renewalId: string): AccountEvent => ({
  type: 'FirstOrderDiscountClaimed',
  data: { accountId: 'acc-1', renewalId, subscriptionId: 'sub-1', claimedAt: T1 },
});
const release = (renewalId: string): AccountCommand => ({
  type: 'ReleaseFirstOrderDiscount',
  renewalId,
  reason: 'payment_failed',
  now: T1,
});
const released = (renewalId: string): AccountEvent => ({
  type: 'FirstOrderDiscountReleased',
  data: { accountId: 'acc-1', renewalId, reason: 'payment_failed', releasedAt: T1 },
});

const stateAfter = (events: AccountEvent[]) => events.reduce(accountDecider.evolve, accountDecider.initialState());

describe('account decider', () => {
  it('registers an account', () => {
    spec.given([]).when(register).then([registered]);
  });

  it('treats registering an existing account as a no-op', () => {
    spec
      .given([registered])
      .when({ ...register, now: T1 })
      .thenNothing();
  });

  it('refuses a first-order claim on an account that does not exist', () => {
    spec.given([]).when(claim('r1')).thenThrows('ACCOUNT_NOT_FOUND');
  });

  it('lets the first renewal claim the first-order discount', () => {
    spec
      .given([registered])
      .when(claim('r1'))
      .then([claimed('r1')]);
  });

  it('treats a repeated claim by the same renewal as a no-op', () => {
    spec
      .given([registered, claimed('r1')])
      .when(claim('r1'))
      .thenNothing();
  });

  it('refuses the first-order discount to another renewal once it is claimed', () => {
    spec
      .given([registered, claimed('r1')])
      .when(claim('r2'))
      .thenThrows('PROMOTION_NOT_APPLICABLE');
  });

  it('releases the claim held by a renewal', () => {
    spec
      .given([registered, claimed('r1')])
      .when(release('r1'))
      .then([released('r1')]);
  });

  it('ignores a release by a renewal that holds no claim', () => {
    spec
      .given([registered, claimed('r1')])
      .when(release('r2'))
      .thenNothing();
  });

  it('ignores a release that was already applied', () => {
    spec
      .given([registered, claimed('r1'), released('r1')])
      .when(release('r1'))
      .thenNothing();
  });

  it('lets another renewal claim the discount after a release', () => {
    spec
      .given([registered, claimed('r1'), released('r1')])
      .when(claim('r2'))
      .then([claimed('r2')]);
  });

  describe('first-order eligibility', () => {
    it('holds for a registered account that has not claimed', () => {
      expect(firstOrderEligible(stateAfter([registered]), 'r1')).toBe(true);
    });

    it('holds for the renewal that holds the claim', () => {
      expect(firstOrderEligible(stateAfter([registered, claimed('r1')]), 'r1')).toBe(true);
    });

    it('does not hold for any other renewal once claimed', () => {
      expect(firstOrderEligible(stateAfter([registered, claimed('r1')]), 'r2')).toBe(false);
    });

    it('does not hold for an unregistered account', () => {
      expect(firstOrderEligible(stateAfter([]), 'r1')).toBe(false);
    });
  });
});
