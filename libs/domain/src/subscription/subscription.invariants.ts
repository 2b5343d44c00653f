import { DomainError } from '../shared/domain-error';
import { Money } from '../shared/money';
import { REGIONS } from '../catalogue/plan';
import { OpenSubscription, RecordPaymentOutcome, RecordUsage, SelectPlan } from './subscription.commands';

/**
 * Defence in depth: the HTTP layer validates first, so these only trip on a caller's bug. They
 * refuse a command whose inputs would produce an event a reader cannot fold, before it is decided.
 */
const refuse = (field: string, message: string): never => {
  throw new DomainError('INVALID_COMMAND', message, field);
};

const text = (value: unknown, field: string): void => {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    refuse(field, `${field} must be a non-empty string of at most 200 characters`);
};

const wholeMb = (value: unknown, field: string): void => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    refuse(field, `${field} must be a whole, non-negative number of MB`);
};

const money = (value: Money | undefined, field: string): void => {
  if (!value || !Number.isSafeInteger(value.amountMinor) || value.amountMinor < 0 || !/^[A-Z]{3}$/.test(String(value.currency))) {
    refuse(field, `${field} must be a non-negative whole amount of minor units with an ISO 4217 currency`);
  }
};

const METHODS: readonly unknown[] = ['card', 'paypal', 'apple_pay'];

export const checkOpen = (c: OpenSubscription): void => {
  text(c.subscriptionId, 'subscriptionId');
  text(c.accountId, 'accountId');
  if (typeof c.iccid !== 'string' || !/^\d{19,20}$/.test(c.iccid)) refuse('iccid', 'iccid must be 19 or 20 digits');
  if (!(REGIONS as readonly unknown[]).includes(c.region)) refuse('region', `region must be one of ${REGIONS.join(', ')}`);
};

export const checkSelectPlan = (c: SelectPlan): void => {
  text(c.renewalId, 'renewalId');
  text(c.requestHash, 'requestHash');
  if (!METHODS.includes(c.paymentMethod)) refuse('paymentMethod', `paymentMethod must be one of ${METHODS.join(', ')}`);
  if (!c.plan || !Number.isSafeInteger(c.plan.days) || c.plan.days < 1) refuse('planId', 'the plan must last at least one day');
  wholeMb(c.plan.dataMb, 'planId');
  money(c.quote?.listPrice, 'listPrice');
  money(c.quote?.price, 'price');
  const discounted = c.quote.discounts.reduce((sum, d) => (money(d.amount, 'discounts'), sum + d.amount.amountMinor), 0);
  const currencies = new Set([c.quote.listPrice.currency, c.quote.price.currency, ...c.quote.discounts.map((d) => d.amount.currency)]);
  if (currencies.size !== 1) refuse('price', 'the list price, discounts and price must share one currency');
  if (c.quote.price.amountMinor !== Math.max(0, c.quote.listPrice.amountMinor - discounted))
    refuse('price', 'price must be the list price less the discounts, never below zero');
};

export const checkPaymentOutcome = (c: RecordPaymentOutcome): void => {
  text(c.renewalId, 'renewalId');
  text(c.outcome?.paymentId, 'paymentId');
  if (c.outcome.status === 'failed') text(c.outcome.reason, 'reason');
  else if (c.outcome.status === 'captured') {
    text(c.outcome.providerReference, 'providerReference');
    money(c.outcome.amount, 'amount');
    if (c.outcome.fee) {
      money(c.outcome.fee, 'fee');
      if (c.outcome.fee.currency !== c.outcome.amount.currency || c.outcome.fee.amountMinor > c.outcome.amount.amountMinor)
        refuse('fee', 'the fee is in the payment’s currency and at most its amount');
    }
  } else refuse('outcome', 'a payment outcome is captured or failed');
};

export const checkUsage = (c: RecordUsage): void => {
  text(c.usageId, 'usageId');
  wholeMb(c.mb, 'mb');
};
