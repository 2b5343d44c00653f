import { Decider, DomainEvent, assertNever } from '../shared/event';
import { DomainError } from '../shared/domain-error';

/** The account stream never holds personal data: the phone number lives outside the event log. */
export type AccountRegistered = DomainEvent<'AccountRegistered', { accountId: string; registeredAt: string }>;
export type FirstOrderDiscountClaimed = DomainEvent<
  'FirstOrderDiscountClaimed',
  { accountId: string; renewalId: string; subscriptionId: string; claimedAt: string }
>;
/** A claim whose renewal was never paid gives the first-order discount back to the account. */
export type FirstOrderDiscountReleased = DomainEvent<
  'FirstOrderDiscountReleased',
  { accountId: string; renewalId: string; reason: string; releasedAt: string }
>;
export type AccountEvent = AccountRegistered | FirstOrderDiscountClaimed | FirstOrderDiscountReleased;

export type AccountCommand =
  | { readonly type: 'RegisterAccount'; readonly accountId: string; readonly now: string }
  | { readonly type: 'ClaimFirstOrderDiscount'; readonly renewalId: string; readonly subscriptionId: string; readonly now: string }
  | { readonly type: 'ReleaseFirstOrderDiscount'; readonly renewalId: string; readonly reason: string; readonly now: string };

export type Account =
  | { readonly status: 'Unregistered' }
  | { readonly status: 'Registered'; readonly accountId: string; readonly firstOrderClaimedBy: string | null };

export const firstOrderEligible = (s: Account, renewalId: string): boolean =>
  s.status === 'Registered' && (s.firstOrderClaimedBy === null || s.firstOrderClaimedBy === renewalId);

const evolve = (s: Account, e: AccountEvent): Account => {
  switch (e.type) {
    case 'AccountRegistered':
      return { status: 'Registered', accountId: e.data.accountId, firstOrderClaimedBy: null };
    case 'FirstOrderDiscountClaimed':
      return s.status === 'Registered' ? { ...s, firstOrderClaimedBy: e.data.renewalId } : s;
    case 'FirstOrderDiscountReleased':
      return s.status === 'Registered' ? { ...s, firstOrderClaimedBy: null } : s;
    default:
      return assertNever(e);
  }
};

const decide = (c: AccountCommand, s: Account): AccountEvent[] => {
  switch (c.type) {
    case 'RegisterAccount':
      if (s.status === 'Registered') return [];
      return [{ type: 'AccountRegistered', data: { accountId: c.accountId, registeredAt: c.now } }];
    case 'ClaimFirstOrderDiscount':
      if (s.status !== 'Registered') throw new DomainError('ACCOUNT_NOT_FOUND', 'account does not exist', 'accountId');
      if (s.firstOrderClaimedBy === c.renewalId) return [];
      if (s.firstOrderClaimedBy !== null) {
        throw new DomainError('PROMOTION_NOT_APPLICABLE', 'the first-order discount was already claimed');
      }
      return [
        {
          type: 'FirstOrderDiscountClaimed',
          data: { accountId: s.accountId, renewalId: c.renewalId, subscriptionId: c.subscriptionId, claimedAt: c.now },
        },
      ];
    case 'ReleaseFirstOrderDiscount':
      if (s.status !== 'Registered' || s.firstOrderClaimedBy !== c.renewalId) return [];
      return [
        {
          type: 'FirstOrderDiscountReleased',
          data: { accountId: s.accountId, renewalId: c.renewalId, reason: c.reason, releasedAt: c.now },
        },
      ];
    default:
      return assertNever(c);
  }
};

export const accountDecider: Decider<AccountCommand, Account, AccountEvent> = {
  initialState: () => ({ status: 'Unregistered' }),
  evolve,
  decide,
};

export const accountStreamId = (accountId: string): string => `account-${accountId}`;
