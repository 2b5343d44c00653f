import { Decider, DomainEvent, assertNever } from '../shared/event';
import { DomainError } from '../shared/domain-error';
import { Money } from '../shared/money';

/**
 * Auto-renew, the owner's standing order for one card (stream `autorenew-<subscriptionId>`, not
 * published: it holds the sealed payment token): renew `planId` when a renewal reminder is due, with
 * the saved method, at most `monthlyCap` a calendar month (UTC), until switched off. Every attempt
 * counts against the cap (a declined one too): the cap bounds what may be charged, never more.
 */
export type AutoRenewEnabled = DomainEvent<
  'AutoRenewEnabled',
  {
    subscriptionId: string;
    planId: string;
    paymentMethod: 'card' | 'apple_pay';
    sealedToken: string;
    monthlyCap: Money;
    enabledAt: string;
  }
>;
export type AutoRenewDisabled = DomainEvent<'AutoRenewDisabled', { subscriptionId: string; disabledAt: string }>;
/**
 * A reminder was answered with a renewal: its price counts against the month's cap. `periodEnd` is
 * the validity end the reminder was about: one renewal per validity end, however many reminders
 * (low data and validity ending can be due together).
 */
export type AutoRenewAttempted = DomainEvent<
  'AutoRenewAttempted',
  { subscriptionId: string; reminderId: string; periodEnd: string; renewalId: string; price: Money; month: string; attemptedAt: string }
>;
/** A reminder was not answered: the renewal would pass the month's cap. */
export type AutoRenewSkipped = DomainEvent<
  'AutoRenewSkipped',
  { subscriptionId: string; reminderId: string; periodEnd: string; reason: 'monthly_cap'; price: Money; month: string; skippedAt: string }
>;
export type AutoRenewEvent = AutoRenewEnabled | AutoRenewDisabled | AutoRenewAttempted | AutoRenewSkipped;

export type AutoRenewCommand =
  | {
      readonly type: 'EnableAutoRenew';
      readonly subscriptionId: string;
      readonly planId: string;
      readonly paymentMethod: 'card' | 'apple_pay';
      readonly sealedToken: string;
      readonly monthlyCap: Money;
      readonly now: string;
    }
  | { readonly type: 'DisableAutoRenew'; readonly now: string }
  | {
      readonly type: 'AnswerReminder';
      readonly reminderId: string;
      /** The validity end the reminder was about. */
      readonly periodEnd: string;
      readonly renewalId: string;
      readonly price: Money;
      readonly now: string;
    };

export type AutoRenew =
  | {
      readonly status: 'Off';
      readonly spent: Readonly<Record<string, number>>;
      readonly answered: readonly string[];
      readonly attempted: Readonly<Record<string, string>>;
      readonly periods: Readonly<Record<string, string>>;
    }
  | {
      readonly status: 'On';
      readonly subscriptionId: string;
      readonly planId: string;
      readonly paymentMethod: 'card' | 'apple_pay';
      readonly sealedToken: string;
      readonly monthlyCap: Money;
      /** Minor units attempted per month (YYYY-MM). */
      readonly spent: Readonly<Record<string, number>>;
      /** Reminders already answered (attempted or skipped), bounded. */
      readonly answered: readonly string[];
      /** The renewal each answered reminder started (bounded with `answered`). */
      readonly attempted: Readonly<Record<string, string>>;
      /** The validity end each attempted reminder was about. */
      readonly periods: Readonly<Record<string, string>>;
    };

const ANSWERED_KEPT = 50;
export const monthOf = (iso: string): string => iso.slice(0, 7);

const evolve = (s: AutoRenew, e: AutoRenewEvent): AutoRenew => {
  switch (e.type) {
    case 'AutoRenewEnabled': {
      const { enabledAt: _, ...d } = e.data;
      return { status: 'On', ...d, spent: s.spent, answered: s.answered, attempted: s.attempted, periods: s.periods };
    }
    case 'AutoRenewDisabled':
      return { status: 'Off', spent: s.spent, answered: s.answered, attempted: s.attempted, periods: s.periods };
    case 'AutoRenewAttempted': {
      const answered = [...s.answered.slice(1 - ANSWERED_KEPT), e.data.reminderId];
      const kept = ([r]: [string, string]) => answered.includes(r);
      const attempted = Object.fromEntries(
        [...Object.entries(s.attempted), [e.data.reminderId, e.data.renewalId] as [string, string]].filter(kept),
      );
      const periods = Object.fromEntries(
        [...Object.entries(s.periods), [e.data.reminderId, e.data.periodEnd] as [string, string]].filter(kept),
      );
      const spent = { ...s.spent, [e.data.month]: (s.spent[e.data.month] ?? 0) + e.data.price.amountMinor };
      return { ...s, spent, answered, attempted, periods };
    }
    case 'AutoRenewSkipped':
      return { ...s, answered: [...s.answered.slice(1 - ANSWERED_KEPT), e.data.reminderId] };
    default:
      return assertNever(e);
  }
};

const decide = (c: AutoRenewCommand, s: AutoRenew): AutoRenewEvent[] => {
  switch (c.type) {
    case 'EnableAutoRenew': {
      if (!Number.isInteger(c.monthlyCap.amountMinor) || c.monthlyCap.amountMinor <= 0)
        throw new DomainError('INVALID_COMMAND', 'monthlyCapMinor must be a positive whole number of minor units', 'monthlyCapMinor');
      const { type: _, now, ...d } = c;
      return [{ type: 'AutoRenewEnabled', data: { ...d, enabledAt: now } }];
    }
    case 'DisableAutoRenew':
      return s.status === 'On' ? [{ type: 'AutoRenewDisabled', data: { subscriptionId: s.subscriptionId, disabledAt: c.now } }] : [];
    case 'AnswerReminder': {
      if (s.status !== 'On' || s.answered.includes(c.reminderId)) return [];
      // Another reminder about the same validity end was answered already: one renewal per end.
      if (Object.keys(s.attempted).some((r) => s.periods[r] === c.periodEnd)) return [];
      const month = monthOf(c.now);
      const spent = s.spent[month] ?? 0;
      const base = { subscriptionId: s.subscriptionId, reminderId: c.reminderId, periodEnd: c.periodEnd, price: c.price, month };
      if (c.price.currency !== s.monthlyCap.currency || spent + c.price.amountMinor > s.monthlyCap.amountMinor)
        return [{ type: 'AutoRenewSkipped', data: { ...base, reason: 'monthly_cap', skippedAt: c.now } }];
      return [{ type: 'AutoRenewAttempted', data: { ...base, renewalId: c.renewalId, attemptedAt: c.now } }];
    }
    default:
      return assertNever(c);
  }
};

export const autoRenewDecider: Decider<AutoRenewCommand, AutoRenew, AutoRenewEvent> = {
  initialState: () => ({ status: 'Off', spent: {}, answered: [], attempted: {}, periods: {} }),
  evolve,
  decide,
};

export const AUTO_RENEW_PREFIX = 'autorenew-';
export const autoRenewStreamId = (subscriptionId: string): string => `${AUTO_RENEW_PREFIX}${subscriptionId}`;
