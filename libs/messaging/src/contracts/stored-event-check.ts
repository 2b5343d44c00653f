import Ajv, { ValidateFunction } from 'ajv';
import { SchemaValidator } from './schema-validator';

const SUBSCRIPTION_PREFIX = 'subscription-';
const ACCOUNT_PREFIX = 'account-';
const id = { type: 'string', minLength: 1, maxLength: 200 };
const time = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' };

/**
 * Fields a card event stores but does not publish. Everything else a card event stores is exactly
 * its published value minus `subscriptionId` (which the stream names), so the published JSON Schema
 * is the one definition of those fields: checking a stored event means checking what it would publish.
 */
const INTERNAL_FIELDS: Readonly<Record<string, Readonly<Record<string, object>>>> = {
  PlanSelected: { requestHash: { type: 'string', minLength: 1, maxLength: 128 } },
};

/** Account events are never published, so their shapes are defined only here. */
const ACCOUNT_SCHEMAS: Readonly<Record<string, object>> = {
  AccountRegistered: { required: ['accountId', 'registeredAt'], properties: { accountId: id, registeredAt: time } },
  FirstOrderDiscountClaimed: {
    required: ['accountId', 'renewalId', 'subscriptionId', 'claimedAt'],
    properties: { accountId: id, renewalId: id, subscriptionId: id, claimedAt: time },
  },
  FirstOrderDiscountReleased: {
    required: ['accountId', 'renewalId', 'reason', 'releasedAt'],
    properties: { accountId: id, renewalId: id, reason: { type: 'string', minLength: 1, maxLength: 500 }, releasedAt: time },
  },
};

/** An auto-renew mandate (`autorenew-<subscriptionId>`) is internal too: it holds a sealed token. */
const AUTO_RENEW_PREFIX = 'autorenew-';
const money = {
  type: 'object',
  additionalProperties: false,
  required: ['amountMinor', 'currency'],
  properties: { amountMinor: { type: 'integer', minimum: 0 }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
};
const month = { type: 'string', pattern: '^\\d{4}-\\d{2}$' };
const AUTO_RENEW_SCHEMAS: Readonly<Record<string, object>> = {
  AutoRenewEnabled: {
    required: ['subscriptionId', 'planId', 'paymentMethod', 'sealedToken', 'monthlyCap', 'enabledAt'],
    properties: {
      subscriptionId: id,
      planId: id,
      paymentMethod: { enum: ['card', 'apple_pay'] },
      sealedToken: { type: 'string', minLength: 1, maxLength: 2000 },
      monthlyCap: money,
      enabledAt: time,
    },
  },
  AutoRenewDisabled: { required: ['subscriptionId', 'disabledAt'], properties: { subscriptionId: id, disabledAt: time } },
  AutoRenewAttempted: {
    required: ['subscriptionId', 'reminderId', 'periodEnd', 'renewalId', 'price', 'month', 'attemptedAt'],
    properties: { subscriptionId: id, reminderId: id, periodEnd: time, renewalId: id, price: money, month, attemptedAt: time },
  },
  AutoRenewSkipped: {
    required: ['subscriptionId', 'reminderId', 'periodEnd', 'reason', 'price', 'month', 'skippedAt'],
    properties: {
      subscriptionId: id,
      reminderId: id,
      periodEnd: time,
      reason: { enum: ['monthly_cap'] },
      price: money,
      month,
      skippedAt: time,
    },
  },
};

/**
 * A renewal's payment process stream (`payment-<paymentId>`) is internal: its events are checked
 * for their type and the fields every reader folds, not published.
 */
const PROCESS_PREFIX = 'payment-';
const PROCESS_REQUIRED: Readonly<Record<string, readonly string[]>> = {
  RenewalRequested: [
    'paymentId',
    'renewalId',
    'subscriptionId',
    'accountId',
    'planId',
    'paymentMethod',
    'sealedToken',
    'quote',
    'requestHash',
    'origin',
    'requestedAt',
    'confirmBy',
    'abandonBy',
  ],
  DiscountSettled: ['outcome', 'quote', 'at'],
  DiscountReleased: ['at'],
  CardReserved: ['at'],
  RenewalRefused: ['code', 'message', 'at'],
  ProviderReported: ['source', 'payment', 'at'],
  ProviderUnreachable: ['operation', 'attempt', 'error', 'at', 'retryAt'],
  ProviderRejected: ['operation', 'code', 'message', 'at'],
  CardUpdated: ['step', 'at'],
  RefundRequested: ['refundId', 'amountMinor', 'reason', 'actor', 'requestedAt'],
};

const processEventErrors = (streamId: string, type: string, data: Record<string, unknown>): string[] => {
  const required = PROCESS_REQUIRED[type];
  if (!required) return [`${type} is not a payment process event`];
  const missing = required.filter((k) => !(k in data));
  if (missing.length) return missing.map((k) => `/${k} is required`);
  if (type === 'RenewalRequested' && `${PROCESS_PREFIX}${String(data.paymentId)}` !== streamId)
    return [`/paymentId must equal the stream's payment id`];
  return [];
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What the append path asks before anything is stored: would every reader (the deciders, the
 * projections, the publisher's mapping) be able to read this event back? Answers the reasons it
 * would not, or [] when it would.
 */
export class StoredEventCheck {
  private readonly published = new SchemaValidator();
  private readonly local = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = new Ajv({ strict: true, allErrors: true });
    for (const [type, fields] of Object.entries(INTERNAL_FIELDS)) {
      this.local.set(type, ajv.compile({ type: 'object', required: Object.keys(fields), properties: fields }));
    }
    for (const [type, schema] of Object.entries(ACCOUNT_SCHEMAS)) {
      this.local.set(`account:${type}`, ajv.compile({ type: 'object', additionalProperties: false, ...schema }));
    }
    for (const [type, schema] of Object.entries(AUTO_RENEW_SCHEMAS)) {
      this.local.set(`autorenew:${type}`, ajv.compile({ type: 'object', additionalProperties: false, ...schema }));
    }
  }

  errors(streamId: string, type: string, data: unknown): string[] {
    if (!isObject(data)) return ['data must be an object'];
    if (streamId.startsWith(SUBSCRIPTION_PREFIX)) return this.cardEventErrors(streamId.slice(SUBSCRIPTION_PREFIX.length), type, data);
    if (streamId.startsWith(ACCOUNT_PREFIX)) {
      const validate = this.local.get(`account:${type}`);
      if (!validate) return [`${type} is not an account event`];
      if (data.accountId !== streamId.slice(ACCOUNT_PREFIX.length)) return [`/accountId must equal the stream's account id`];
      return messages(validate, data);
    }
    if (streamId.startsWith(PROCESS_PREFIX)) return processEventErrors(streamId, type, data);
    if (streamId.startsWith(AUTO_RENEW_PREFIX)) {
      const validate = this.local.get(`autorenew:${type}`);
      if (!validate) return [`${type} is not an auto-renew event`];
      if (data.subscriptionId !== streamId.slice(AUTO_RENEW_PREFIX.length)) return [`/subscriptionId must equal the stream's card id`];
      return messages(validate, data);
    }
    return [`stream ${streamId} is not a stream the ledger writes`];
  }

  private cardEventErrors(subscriptionId: string, type: string, data: Record<string, unknown>): string[] {
    const internal = INTERNAL_FIELDS[type] ?? {};
    const published: Record<string, unknown> = { subscriptionId };
    const own: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) (Object.hasOwn(internal, k) ? own : published)[k] = v;
    if ('subscriptionId' in data && data.subscriptionId !== subscriptionId)
      return [`/subscriptionId must equal the stream's card id ${subscriptionId}`];
    const errors = this.published.errorsFor(type, published);
    const local = this.local.get(type);
    return local ? [...errors, ...messages(local, own)] : errors;
  }
}

const messages = (validate: ValidateFunction, value: unknown): string[] =>
  validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
